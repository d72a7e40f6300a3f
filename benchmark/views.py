"""The data behind each page: small frames computed in DuckDB.

Pages and the command line call these with plain values (ids, a platform, a
period, a metric id) and get back a dataclass holding a DataFrame of exactly
the rows and columns the view shows.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from .errors import NotFoundError, ValidationError
from .groups import PeerGroup
from .metrics import WATCH_METRICS, get_metric
from .periods import Period, month_period, quarter_period, trailing_months
from .query import METRIC_SQL, account_metric_table, metric_params, metric_table
from .registry import Organisation
from .store import Store
from .vocabulary import PLATFORMS
from .watchlists import MAX_WATCHED

TREND_MONTHS = 12
NO_DATA = "no data"


def check_platform(platform: str) -> str:
    value = (platform or "").strip().lower()
    if value not in PLATFORMS:
        raise NotFoundError("platform", platform, difflib.get_close_matches(value, list(PLATFORMS), n=3, cutoff=0.4))
    return value


# -- Pages to watch ----------------------------------------------------------
@dataclass(frozen=True)
class WatchTable:
    frame: pd.DataFrame
    period: Period
    platform: str
    own: Organisation
    shows_demo: bool
    rows_with_data: int


def watch_table(
    store: Store, own: Organisation, watched_ids: Sequence[int], platform: str, period: Period
) -> WatchTable:
    """Your organisation pinned first, then the watched pages by followers (largest first).

    Every watched organisation gets a row; those without figures for the period
    say "no data" in `status` instead of disappearing or showing 0.
    """
    platform = check_platform(platform)
    ids = list(dict.fromkeys([own.organisation_id, *[int(i) for i in watched_ids]]))
    if len(ids) > MAX_WATCHED + 1:
        raise ValidationError(f"a watch list can hold at most {MAX_WATCHED} organisations")
    # One pass for the period and the trend months (a month may be the period itself).
    months = trailing_months(period, TREND_MONTHS)
    periods = list({p.label: p for p in (period, *months)}.values())
    rows = metric_table(store, ids, platform, periods)
    trend = (
        rows[rows["period"].isin({m.label for m in months})]
        .sort_values("period_start")
        .groupby("organisation_id")["followers"]
        .agg(_trend_points)
        .rename("follower_trend")
    )
    frame = rows[rows["period"] == period.label].merge(trend, on="organisation_id", how="left")
    frame["is_own"] = frame["organisation_id"] == own.organisation_id
    has_any = frame[list(WATCH_METRICS)].notna().any(axis=1)
    frame["status"] = has_any.map({True: "", False: NO_DATA})
    frame["platform"] = platform
    frame = frame.sort_values(
        ["is_own", "followers", "organisation"], ascending=[False, False, True], na_position="last"
    ).reset_index(drop=True)
    columns = [
        "organisation_id", "organisation", "platform", "period", "code", "country", "kind", "is_own", "pages",
        *WATCH_METRICS, "followers_change", "follower_trend", "status", "is_demo",
    ]
    return WatchTable(
        frame=frame[columns],
        period=period,
        platform=platform,
        own=own,
        shows_demo=bool(frame["is_demo"].fillna(False).any()),
        rows_with_data=int(has_any.sum()),
    )


def _trend_points(followers: pd.Series) -> list[float | None] | None:
    """Missing months stay gaps (None), never 0; no line at all when nothing is known."""
    points = [None if pd.isna(v) else float(v) for v in followers]
    return points if any(p is not None for p in points) else None


# -- Peer ranking ------------------------------------------------------------
@dataclass(frozen=True)
class GroupSummary:
    members: int
    with_data: int
    avg_posts_per_month: float | None
    median_posts_per_month: float | None
    largest_page: str | None
    largest_followers: int | None
    fastest_growth: str | None
    fastest_growth_pct: float | None
    lost_followers: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Ranking:
    frame: pd.DataFrame
    summary: GroupSummary
    group: PeerGroup
    metric_id: str
    period: Period
    platform: str
    peer_median: float | None
    shows_demo: bool


def ranking(
    store: Store, group: PeerGroup, platform: str, period: Period, metric_id: str, own_id: int | None = None
) -> Ranking:
    """Rank, value, percentile and distance from the peer median for every member of the group.

    Rank 1 is the best value; tied pages share a rank. Percentile = share of the
    other ranked members with a strictly worse value × 100, so the best page has
    100 and the worst 0 (a group of one has none). Pages with no value come last,
    unranked. Ranks, percentiles and the median are those of the group's members.
    """
    platform = check_platform(platform)
    metric = get_metric(metric_id)
    ids = list(dict.fromkeys([*group.organisation_ids, *([own_id] if own_id else [])]))
    better, worse = (">", "<") if metric.higher_is_better else ("<", ">")
    # The metric rows are computed once and feed both the ranking and the summary line.
    metric_rows = store.frame(METRIC_SQL, metric_params(ids, platform, [period]))
    # metric.id comes from the fixed metric table, never from user input. Ranks and
    # percentiles are computed among the group's members only; your organisation, if it
    # is not a member, is placed where it would stand without moving anyone else.
    frame = store.frame(
        f"""
        WITH mt AS (SELECT * FROM metric_rows),
        scored AS (
            SELECT *, {metric.id} AS v, list_contains($group_ids::INTEGER[], organisation_id) AS in_group FROM mt
        ),
        members AS (SELECT * FROM scored WHERE in_group),
        ranked_count AS (SELECT count(v) AS n, median(v) AS peer_median FROM members)
        SELECT
            CASE WHEN s.v IS NOT NULL THEN
                1 + (SELECT count(*) FROM members m WHERE m.v {better} s.v) END AS rank,
            s.organisation_id, s.organisation, s.code, s.country, s.kind, s.pages,
            s.v AS value,
            CASE WHEN s.v IS NOT NULL THEN
                100.0 * (SELECT count(*) FROM members m WHERE m.v {worse} s.v)
                / nullif((SELECT n FROM ranked_count) - CASE WHEN s.in_group THEN 1 ELSE 0 END, 0) END AS percentile,
            (SELECT peer_median FROM ranked_count) AS peer_median,
            s.v - (SELECT peer_median FROM ranked_count) AS difference_from_median,
            s.organisation_id = $own_id AS is_own,
            s.in_group,
            s.is_demo
        FROM scored s
        ORDER BY rank NULLS LAST, s.in_group DESC, s.organisation
        """,
        {"group_ids": list(group.organisation_ids), "own_id": own_id or -1},
        tables={"metric_rows": metric_rows},
    )
    frame = frame.convert_dtypes()
    frame.insert(3, "platform", platform)
    frame.insert(4, "period", period.label)
    peer_median = frame["peer_median"].dropna()
    return Ranking(
        frame=frame,
        summary=group_summary(store, group, platform, period, metric_rows),
        group=group,
        metric_id=metric.id,
        period=period,
        platform=platform,
        peer_median=float(peer_median.iloc[0]) if len(peer_median) else None,
        shows_demo=bool(frame["is_demo"].fillna(False).any()),
    )


def group_summary(
    store: Store, group: PeerGroup, platform: str, period: Period, metric_rows: pd.DataFrame | None = None
) -> GroupSummary:
    """The line the old quarterly reports opened with: posting rhythm, largest, fastest, losers.

    `metric_rows` are the period's metric rows when the caller already has them
    (they may include organisations outside the group; only members count).
    """
    if metric_rows is None:
        metric_rows = store.frame(METRIC_SQL, metric_params(group.organisation_ids, platform, [period]))
    row = store.rows(
        """
        WITH mt AS (SELECT * FROM metric_rows WHERE list_contains($group_ids::INTEGER[], organisation_id))
        SELECT count(*), count(*) FILTER (WHERE followers IS NOT NULL OR posts IS NOT NULL),
               avg(posts_per_month), median(posts_per_month),
               arg_max(organisation, followers), max(followers),
               arg_max(organisation, followers_change_pct), max(followers_change_pct),
               list(organisation ORDER BY followers_change) FILTER (WHERE followers_change < 0)
        FROM mt
        """,
        {"group_ids": list(group.organisation_ids)},
        tables={"metric_rows": metric_rows},
    )[0]
    return GroupSummary(
        members=int(row[0]),
        with_data=int(row[1]),
        avg_posts_per_month=None if row[2] is None else float(row[2]),
        median_posts_per_month=None if row[3] is None else float(row[3]),
        largest_page=row[4],
        largest_followers=None if row[5] is None else int(row[5]),
        fastest_growth=row[6],
        fastest_growth_pct=None if row[7] is None else float(row[7]),
        lost_followers=list(row[8] or []),
    )


# -- Organisation profile ----------------------------------------------------
@dataclass(frozen=True)
class Profile:
    frame: pd.DataFrame  # period, period_start, value, peer_median, peer_q1, peer_q3, peers_with_data
    organisation: Organisation
    group: PeerGroup
    metric_id: str
    platform: str
    shows_demo: bool


def profile(
    store: Store, organisation: Organisation, group: PeerGroup, platform: str, metric_id: str, periods: Sequence[Period]
) -> Profile:
    """One organisation's metric per period next to the group's median and interquartile band."""
    platform = check_platform(platform)
    metric = get_metric(metric_id)
    ids = list(dict.fromkeys([organisation.organisation_id, *group.organisation_ids]))
    frame = store.frame(
        f"""
        WITH mt AS ({METRIC_SQL}),
        peers AS (SELECT * FROM mt WHERE list_contains($group_ids::INTEGER[], organisation_id))
        SELECT o.period, o.period_start::DATE AS period_start, o.{metric.id} AS value,
               median(p.{metric.id}) AS peer_median,
               quantile_cont(p.{metric.id}, 0.25) AS peer_q1,
               quantile_cont(p.{metric.id}, 0.75) AS peer_q3,
               count(p.{metric.id}) AS peers_with_data,
               any_value(o.is_demo) OR coalesce(bool_or(p.is_demo), false) AS is_demo
        FROM (SELECT * FROM mt WHERE organisation_id = $own_id) o
        LEFT JOIN peers p USING (period)
        GROUP BY o.period, o.period_start, o.{metric.id}, o.is_demo
        ORDER BY o.period_start
        """,
        {**metric_params(ids, platform, periods), "group_ids": list(group.organisation_ids),
         "own_id": organisation.organisation_id},
    )
    frame = frame.convert_dtypes()
    return Profile(
        frame=frame,
        organisation=organisation,
        group=group,
        metric_id=metric.id,
        platform=platform,
        shows_demo=bool(frame["is_demo"].fillna(False).any()) if len(frame) else False,
    )


# -- Choices for the pages ----------------------------------------------------
def organisation_pages(store: Store, organisation: Organisation, platform: str, period: Period) -> pd.DataFrame:
    """Each of the organisation's pages on the platform on its own (the rows the watch table adds up):
    the real pages where it has any, else its demo pages."""
    platform = check_platform(platform)
    ids = [r[0] for r in store.rows(
        """
        SELECT account_id FROM accounts a WHERE organisation_id = ? AND platform = ?
        AND (NOT is_demo OR NOT EXISTS (SELECT 1 FROM accounts r WHERE r.organisation_id = a.organisation_id
                                        AND r.platform = a.platform AND NOT r.is_demo))
        ORDER BY name
        """, [organisation.organisation_id, platform])]
    frame = account_metric_table(store, ids, platform, [period])
    if frame.empty:
        return frame
    frame["organisation"] = organisation.name
    frame["platform"] = platform
    columns = ["account_id", "account", "organisation", "platform", "period", *WATCH_METRICS,
               "followers_change", "is_demo"]
    return frame.sort_values(["followers", "account"], ascending=[False, True], na_position="last")[columns] \
        .reset_index(drop=True)


def organisation_options(store: Store) -> pd.DataFrame:
    """Every organisation with a display label (the code added where names repeat), for pickers."""
    return store.frame(
        """
        SELECT o.organisation_id, o.name, o.kind, o.country, o.code,
               o.name || ' (' || o.country || ', ' || o.kind ||
                   CASE WHEN count(*) OVER (PARTITION BY o.name) > 1 THEN ', ' || o.code ELSE '' END || ')' AS label
        FROM organisations o
        ORDER BY o.country, o.kind, o.name
        """
    )


def data_range(store: Store, platform: str | None = None) -> tuple[date, date] | None:
    """First and last day with any stored figure (on one platform, or any)."""
    row = store.rows(
        """
        SELECT min(s), max(e) FROM (
            SELECT v.period_start AS s, v.period_end AS e FROM period_values v JOIN accounts a USING (account_id)
            WHERE $platform IS NULL OR a.platform = $platform
            UNION ALL
            SELECT d.day, d.day FROM account_daily d JOIN accounts a USING (account_id)
            WHERE $platform IS NULL OR a.platform = $platform
        )
        """,
        {"platform": platform},
    )[0]
    if row[0] is None:
        return None
    return row[0], row[1]


def platforms_with_data(store: Store) -> list[str]:
    found = {r[0] for r in store.rows("SELECT DISTINCT platform FROM accounts")}
    return [p for p in PLATFORMS if p in found] or list(PLATFORMS)


def default_period(found: tuple[date, date] | None) -> Period:
    """The latest calendar quarter wholly inside the data range `found` (see `data_range`)."""
    if found is None:
        return quarter_period(date.today())
    quarter = quarter_period(found[1])
    if quarter.end > found[1]:
        quarter = quarter.previous()
    return quarter if quarter.start >= found[0] else month_period(found[1])
