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

import numpy as np
import pandas as pd

from .errors import NotFoundError, ValidationError
from .groups import PeerGroup
from .metrics import WATCH_METRICS, get_metric
from .periods import (
    WEEKS,
    Period,
    calendar_of,
    month_period,
    quarter_period,
    trailing_months,
    whole_weeks,
)
from .query import account_metric_table, metric_table
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
    months = trend_months(period)
    periods = list({p.label: p for p in (period, *months)}.values())
    rows = metric_table(store, ids, platform, periods, metrics=(*WATCH_METRICS, "followers_change"))
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


def trend_months(period: Period) -> list[Period]:
    """The months of the watch table's follower trend: the 12 ending with the period's last month;
    for a whole-weeks period (weekly figures) those months' whole weeks, like the period itself."""
    if period.kind == WEEKS:
        return [whole_weeks(m) for m in trailing_months(calendar_of(period) or period, TREND_MONTHS)]
    return trailing_months(period, TREND_MONTHS)


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
    unranked. Ranks, percentiles and the median are those of the group's members;
    your organisation, if it is not a member, is placed where it would stand
    without moving anyone else.
    """
    platform = check_platform(platform)
    metric = get_metric(metric_id)
    ids = list(dict.fromkeys([*group.organisation_ids, *([own_id] if own_id else [])]))
    # One metric query feeds both the ranking and the summary line. The ranks are worked out
    # here over its few hundred rows (one per organisation): the aggregation is DuckDB's.
    rows = metric_table(store, ids, platform, [period], metrics=(metric.id, *SUMMARY_METRICS))
    frame = _ranked(rows, metric.id, metric.higher_is_better, set(group.organisation_ids), own_id)
    frame.insert(3, "platform", platform)
    frame.insert(4, "period", period.label)
    peer_median = frame["peer_median"].dropna()
    return Ranking(
        frame=frame,
        summary=_summary_of(rows[rows["organisation_id"].isin(set(group.organisation_ids))]),
        group=group,
        metric_id=metric.id,
        period=period,
        platform=platform,
        peer_median=float(peer_median.iloc[0]) if len(peer_median) else None,
        shows_demo=bool(frame["is_demo"].fillna(False).any()),
    )


# The metrics the summary line reads.
SUMMARY_METRICS = ("followers", "followers_change", "followers_change_pct", "posts", "posts_per_month")


def _ranked(rows: pd.DataFrame, metric_id: str, higher_is_better: bool, members: set[int],
            own_id: int | None) -> pd.DataFrame:
    value = pd.to_numeric(rows[metric_id], errors="coerce").astype(float).to_numpy()
    in_group = rows["organisation_id"].isin(members).to_numpy()
    known = ~np.isnan(value)
    # Rank on the value where larger is better, on its negation otherwise: "better" is then "larger".
    oriented = value if higher_is_better else -value
    member_values = np.sort(oriented[in_group & known])
    n = len(member_values)
    safe = np.where(known, oriented, 0.0)
    worse = np.searchsorted(member_values, safe, side="left")
    better = n - np.searchsorted(member_values, safe, side="right")
    others = n - in_group.astype(int)
    percentile = np.where(known & (others > 0), 100.0 * worse / np.maximum(others, 1), np.nan)
    median = float(np.median(member_values)) * (1 if higher_is_better else -1) if n else np.nan
    # NaN stands for "no value" until convert_dtypes turns it into <NA>.
    frame = pd.DataFrame({
        "rank": np.where(known, 1.0 + better, np.nan),
        "organisation_id": rows["organisation_id"].to_numpy(),
        "organisation": rows["organisation"].to_numpy(),
        "code": rows["code"].to_numpy(),
        "country": rows["country"].to_numpy(),
        "kind": rows["kind"].to_numpy(),
        "pages": rows["pages"].to_numpy(),
        "value": value,
        "percentile": percentile,
        "peer_median": np.full(len(rows), median),
        "difference_from_median": value - median,
        "is_own": (rows["organisation_id"] == (own_id if own_id else -1)).to_numpy(),
        "in_group": in_group,
        "is_demo": rows["is_demo"].to_numpy(),
    })
    frame = frame.sort_values(["rank", "in_group", "organisation"], ascending=[True, False, True],
                              na_position="last", kind="stable")
    return frame.reset_index(drop=True).convert_dtypes()


def group_summary(store: Store, group: PeerGroup, platform: str, period: Period) -> GroupSummary:
    """The line the old quarterly reports opened with: posting rhythm, largest, fastest, losers."""
    rows = metric_table(store, group.organisation_ids, platform, [period], metrics=SUMMARY_METRICS)
    return _summary_of(rows)


def _summary_of(rows: pd.DataFrame) -> GroupSummary:
    """The summary line over the metric rows of the group's members (one row each)."""
    def numbers(column: str) -> pd.Series:
        return pd.to_numeric(rows[column], errors="coerce").astype(float)

    followers, posts, per_month = numbers("followers"), numbers("posts"), numbers("posts_per_month").dropna()
    growth, change = numbers("followers_change_pct"), numbers("followers_change")
    losers = rows.assign(change=change)[change < 0].sort_values("change", kind="stable")["organisation"]
    return GroupSummary(
        members=len(rows),
        with_data=int((followers.notna() | posts.notna()).sum()),
        avg_posts_per_month=float(per_month.mean()) if len(per_month) else None,
        median_posts_per_month=float(per_month.median()) if len(per_month) else None,
        largest_page=rows["organisation"].iloc[int(np.nanargmax(followers.to_numpy()))] if followers.notna().any() else None,
        largest_followers=int(followers.max()) if followers.notna().any() else None,
        fastest_growth=rows["organisation"].iloc[int(np.nanargmax(growth.to_numpy()))] if growth.notna().any() else None,
        fastest_growth_pct=float(growth.max()) if growth.notna().any() else None,
        lost_followers=list(losers),
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
    """One organisation's metric per period next to the group's median and interquartile band
    (quartiles interpolated linearly, as DuckDB's quantile_cont)."""
    platform = check_platform(platform)
    metric = get_metric(metric_id)
    ids = list(dict.fromkeys([organisation.organisation_id, *group.organisation_ids]))
    rows = metric_table(store, ids, platform, list(periods), metrics=(metric.id,))
    columns = ["period", "period_start", "value", "peer_median", "peer_q1", "peer_q3", "peers_with_data", "is_demo"]
    if rows.empty:
        frame = pd.DataFrame(columns=columns)
    else:
        rows = rows.assign(v=pd.to_numeric(rows[metric.id], errors="coerce").astype(float))
        own = rows[rows["organisation_id"] == organisation.organisation_id].set_index("period")
        peers = rows[rows["organisation_id"].isin(set(group.organisation_ids))].groupby("period", sort=False)
        stats = pd.DataFrame({
            "peer_median": peers["v"].median(),
            "peer_q1": peers["v"].quantile(0.25),
            "peer_q3": peers["v"].quantile(0.75),
            "peers_with_data": peers["v"].count(),
            "peers_demo": peers["is_demo"].any(),
        })
        frame = own.join(stats, how="left").reset_index()
        frame = pd.DataFrame({
            "period": frame["period"],
            "period_start": frame["period_start"],
            "value": frame[metric.id],
            "peer_median": frame["peer_median"],
            "peer_q1": frame["peer_q1"],
            "peer_q3": frame["peer_q3"],
            "peers_with_data": frame["peers_with_data"].fillna(0).astype("int64"),
            "is_demo": frame["is_demo"].astype(bool) | frame["peers_demo"].fillna(False).astype(bool),
        }).sort_values("period_start", kind="stable").reset_index(drop=True).convert_dtypes()
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


def weekly_only(store: Store, platform: str) -> bool:
    """True when every figure stored for the platform is for a whole ISO week (Monday to Sunday):
    calendar months and quarters are then shown as whole weeks (`periods.whole_weeks`)."""
    row = store.rows(
        """
        SELECT count(*), count(*) FILTER (WHERE isodow(v.period_start) = 1 AND v.period_end = v.period_start + 6),
               (SELECT count(*) FROM account_daily d JOIN accounts a USING (account_id) WHERE a.platform = $platform)
        FROM period_values v JOIN accounts a USING (account_id) WHERE a.platform = $platform
        """,
        {"platform": platform},
    )[0]
    return row[0] > 0 and row[0] == row[1] and row[2] == 0


def fit_period(period: Period, weekly: bool) -> Period:
    """The period as the stored figures can answer it: with weekly figures only, a month, quarter
    or year becomes the whole ISO weeks whose Thursday falls in it; anything else stays."""
    return whole_weeks(period) if weekly else period


def default_period(found: tuple[date, date] | None, weekly: bool = False) -> Period:
    """The latest calendar quarter wholly inside the data range `found` (see `data_range`); with
    weekly figures only, the latest quarter's whole weeks."""
    if found is None:
        return quarter_period(date.today())
    quarter = quarter_period(found[1])
    if fit_period(quarter, weekly).end > found[1]:
        quarter = quarter.previous()
    if fit_period(quarter, weekly).start >= found[0]:
        return fit_period(quarter, weekly)
    return fit_period(month_period(found[1]), weekly)
