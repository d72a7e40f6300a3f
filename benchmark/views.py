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
from .i18n import text
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
    # Twenty-odd organisations × 13 periods: plain arrays, cheaper here than DataFrame operations.
    labels = rows["period"].to_numpy(dtype=object)
    org_ids = rows["organisation_id"].to_numpy(dtype="int64")
    followers = _as_float(rows["followers"])
    month_position = {m.label: i for i, m in enumerate(months)}
    points: dict[int, list[float | None]] = {}
    for org, label, value in zip(org_ids, labels, followers, strict=True):
        if label in month_position:
            points.setdefault(int(org), [None] * len(months))[month_position[label]] = (
                None if np.isnan(value) else float(value))
    current = np.flatnonzero(labels == period.label)
    # Yours first, then by followers (largest first, none last), then by name.
    order = current[np.lexsort((rows["organisation"].to_numpy(dtype=object)[current],
                                np.nan_to_num(-followers[current], nan=np.inf),
                                org_ids[current] != own.organisation_id))]
    is_own = org_ids[order] == own.organisation_id
    has_any = np.zeros(len(order), dtype=bool)
    for metric in WATCH_METRICS:
        has_any |= ~rows[metric].array.take(order).isna()

    def picked(column: str):
        return rows[column].array.take(order)

    frame = pd.DataFrame({
        "organisation_id": picked("organisation_id"), "organisation": picked("organisation"),
        "platform": platform, "period": picked("period"), "code": picked("code"), "country": picked("country"),
        "kind": picked("kind"), "is_own": is_own, "pages": picked("pages"),
        **{m: picked(m) for m in (*WATCH_METRICS, "followers_change")},
        "follower_trend": [_trend_points(points.get(int(org))) for org in org_ids[order]],
        "status": np.where(has_any, "", NO_DATA),
        "is_demo": picked("is_demo"),
    })
    return WatchTable(
        frame=frame,
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


def _trend_points(points: list[float | None] | None) -> list[float | None] | None:
    """Missing months stay gaps (None), never 0; no line at all when nothing is known."""
    return points if points and any(p is not None for p in points) else None


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


def _as_float(column: pd.Series) -> np.ndarray:
    """A metric column as floats, NaN where there is no value."""
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _float_array(values: np.ndarray) -> pd.arrays.FloatingArray:
    missing = np.isnan(values)
    return pd.arrays.FloatingArray(np.where(missing, 0.0, values), missing)


def _ranked(rows: pd.DataFrame, metric_id: str, higher_is_better: bool, members: set[int],
            own_id: int | None) -> pd.DataFrame:
    # A few hundred rows: numpy, not DataFrame operations, whose overhead would cost more than the query.
    value = _as_float(rows[metric_id])
    ids = rows["organisation_id"].to_numpy(dtype="int64")
    in_group = np.isin(ids, np.fromiter(members, dtype="int64", count=len(members)))
    known = ~np.isnan(value)
    # Rank on the value where larger is better, on its negation otherwise: "better" is then "larger".
    oriented = value if higher_is_better else -value
    member_values = np.sort(oriented[in_group & known])
    n = len(member_values)
    safe = np.where(known, oriented, 0.0)
    worse = np.searchsorted(member_values, safe, side="left")
    rank = 1 + n - np.searchsorted(member_values, safe, side="right")
    others = n - in_group.astype(int)
    percentile = np.where(known & (others > 0), 100.0 * worse / np.maximum(others, 1), np.nan)
    median = float(np.median(member_values)) * (1 if higher_is_better else -1) if n else np.nan
    # Ranked first by rank (no value last), then members before outsiders, then by name.
    order = np.lexsort((rows["organisation"].to_numpy(dtype=object), ~in_group,
                        np.where(known, rank, np.iinfo(np.int64).max)))
    def passed(column: str):
        return rows[column].array.take(order)

    return pd.DataFrame({
        "rank": pd.arrays.IntegerArray(rank[order].astype("int64"), ~known[order]),
        **{c: passed(c) for c in ("organisation_id", "organisation", "code", "country", "kind", "pages")},
        "value": passed(metric_id),
        "percentile": _float_array(percentile[order]),
        "peer_median": _float_array(np.full(len(rows), median)),
        "difference_from_median": _float_array(value[order] - median),
        "is_own": ids[order] == (own_id if own_id else -1),
        "in_group": in_group[order],
        "is_demo": rows["is_demo"].to_numpy(dtype=bool, na_value=False)[order],
    })


def group_summary(store: Store, group: PeerGroup, platform: str, period: Period) -> GroupSummary:
    """The line the old quarterly reports opened with: posting rhythm, largest, fastest, losers."""
    rows = metric_table(store, group.organisation_ids, platform, [period], metrics=SUMMARY_METRICS)
    return _summary_of(rows)


def _summary_of(rows: pd.DataFrame) -> GroupSummary:
    """The summary line over the metric rows of the group's members (one row each)."""
    names = rows["organisation"].to_numpy(dtype=object)
    followers, posts = _as_float(rows["followers"]), _as_float(rows["posts"])
    per_month = _as_float(rows["posts_per_month"])
    per_month = per_month[~np.isnan(per_month)]
    growth, change = _as_float(rows["followers_change_pct"]), _as_float(rows["followers_change"])
    losing = np.flatnonzero(change < 0)
    has_followers, has_growth = bool((~np.isnan(followers)).any()), bool((~np.isnan(growth)).any())
    return GroupSummary(
        members=len(rows),
        with_data=int((~np.isnan(followers) | ~np.isnan(posts)).sum()),
        avg_posts_per_month=float(per_month.mean()) if len(per_month) else None,
        median_posts_per_month=float(np.median(per_month)) if len(per_month) else None,
        largest_page=names[int(np.nanargmax(followers))] if has_followers else None,
        largest_followers=int(np.nanmax(followers)) if has_followers else None,
        fastest_growth=names[int(np.nanargmax(growth))] if has_growth else None,
        fastest_growth_pct=float(np.nanmax(growth)) if has_growth else None,
        lost_followers=list(names[losing[np.argsort(change[losing], kind="stable")]]),
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
        # One row per organisation and period, ordered by period: the bands per period with numpy.
        labels = rows["period"].to_numpy(dtype=object)
        org_ids = rows["organisation_id"].to_numpy(dtype="int64")
        values = _as_float(rows[metric.id])
        demo = rows["is_demo"].to_numpy(dtype=bool, na_value=False)
        in_group = np.isin(org_ids, np.asarray(group.organisation_ids, dtype="int64"))
        own_rows = np.flatnonzero(org_ids == organisation.organisation_id)
        stats = []
        for row in own_rows:
            peers = in_group & (labels == labels[row])
            known = values[peers][~np.isnan(values[peers])]
            q1, median, q3 = np.quantile(known, [0.25, 0.5, 0.75]) if len(known) else (np.nan,) * 3
            stats.append((median, q1, q3, len(known), bool(demo[row] or demo[peers].any())))
        median, q1, q3, count, is_demo = (np.array(c) for c in zip(*stats, strict=True))
        frame = pd.DataFrame({
            "period": rows["period"].array.take(own_rows),
            "period_start": rows["period_start"].array.take(own_rows),
            "value": rows[metric.id].array.take(own_rows),
            "peer_median": _float_array(median.astype(float)),
            "peer_q1": _float_array(q1.astype(float)),
            "peer_q3": _float_array(q3.astype(float)),
            "peers_with_data": count.astype("int64"),
            "is_demo": is_demo.astype(bool),
        })
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


def organisation_labels(options: pd.DataFrame, lang: str) -> dict[int, str]:
    """Picker labels of `organisation_options` in `lang`: `Örebro (SE, kommun)`, with the code where a
    name repeats (`Lund (SE, kommun, 1281)`)."""
    kinds = {kind: text(f"kind.{kind}", lang).lower() for kind in options["kind"].unique()}
    shared = options["name"].duplicated(keep=False)
    return {
        int(org): f"{name} ({country}, {kinds[kind]}{', ' + str(code) if repeated else ''})"
        for org, name, country, kind, code, repeated in zip(
            options["organisation_id"], options["name"], options["country"], options["kind"], options["code"], shared,
            strict=True)
    }


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
