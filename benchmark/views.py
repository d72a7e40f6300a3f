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
from functools import lru_cache

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
    # One pass for the period and the trend months. Periods are told apart by their dates: a month
    # may be the period itself (under the period's label, or another for a custom range of its dates).
    months = _trend_months(period)
    by_dates = {(m.start, m.end): m for m in months}
    by_dates[period.start, period.end] = period
    periods = list(by_dates.values())
    rows = metric_table(store, ids, platform, periods, metrics=(*WATCH_METRICS, "followers_change"))
    # Twenty-odd organisations × 13 periods: plain arrays, cheaper here than DataFrame operations.
    column = _columns(rows)
    org_ids = column["organisation_id"].to_numpy(dtype="int64")
    followers = _as_float(column["followers"])
    starts = column["period_start"].to_numpy()
    ends = column["period_end"].to_numpy()
    current = np.flatnonzero((starts == np.datetime64(period.start)) & (ends == np.datetime64(period.end)))
    # Yours first, then by followers (largest first, none last), then by name.
    order = current[np.lexsort((column["organisation"].take(current).to_numpy(dtype=object),
                                np.nan_to_num(-followers[current], nan=np.inf),
                                org_ids[current] != own.organisation_id))]
    is_own = org_ids[order] == own.organisation_id
    has_any = np.zeros(len(order), dtype=bool)
    for metric in WATCH_METRICS:
        has_any |= ~column[metric].isna()[order]
    # The trend: followers at the end of each month, one row per organisation in the table's order.
    month_starts = np.array([m.start for m in months], dtype=starts.dtype)
    month_ends = np.array([m.end for m in months], dtype=ends.dtype)
    slot = np.minimum(np.searchsorted(month_starts, starts), len(months) - 1)
    in_month = np.flatnonzero((month_starts[slot] == starts) & (month_ends[slot] == ends))
    table_row = {org: i for i, org in enumerate(org_ids[order].tolist())}
    trend = np.full((len(order), len(months)), np.nan)
    trend[[table_row[org] for org in org_ids[in_month].tolist()], slot[in_month]] = followers[in_month]

    def picked(name: str):
        return column[name].take(order)

    frame = pd.DataFrame({
        "organisation_id": picked("organisation_id"), "organisation": picked("organisation"),
        "platform": platform, "period": picked("period"), "code": picked("code"), "country": picked("country"),
        "kind": picked("kind"), "is_own": is_own, "pages": picked("pages"),
        **{m: picked(m) for m in (*WATCH_METRICS, "followers_change")},
        "follower_trend": [_trend_points(points) for points in trend.tolist()],
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
    return list(_trend_months(period))


@lru_cache(maxsize=256)
def _trend_months(period: Period) -> tuple[Period, ...]:
    # Cached: working out 12 months' whole weeks takes ≈ 0.2 ms, a sixth of the table's Python.
    if period.kind == WEEKS:
        return tuple(whole_weeks(m) for m in trailing_months(calendar_of(period) or period, TREND_MONTHS))
    return tuple(trailing_months(period, TREND_MONTHS))


def _trend_points(points: list[float]) -> list[float | None] | None:
    """Missing months (NaN) stay gaps (None), never 0; no line at all when nothing is known."""
    line = [None if p != p else p for p in points]
    return line if any(p is not None for p in line) else None


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
    column = _columns(rows)
    in_group = np.isin(column["organisation_id"].to_numpy(dtype="int64"),
                       np.asarray(group.organisation_ids, dtype="int64"))
    frame, peer_median = _ranked(column, metric.id, metric.higher_is_better, in_group, own_id,
                                 platform, period.label)
    return Ranking(
        frame=frame,
        summary=_summary_of(column, np.flatnonzero(in_group)),
        group=group,
        metric_id=metric.id,
        period=period,
        platform=platform,
        peer_median=None if np.isnan(peer_median) else peer_median,
        shows_demo=bool(frame["is_demo"].any()),
    )


# The metrics the summary line reads.
SUMMARY_METRICS = ("followers", "followers_change", "followers_change_pct", "posts", "posts_per_month")


def _columns(rows: pd.DataFrame) -> dict[str, pd.api.extensions.ExtensionArray]:
    """The metric rows' columns as arrays, each looked up once: on a few hundred rows, indexing a
    DataFrame costs more than the work on its arrays."""
    return {name: rows[name].array for name in rows.columns}


def _as_float(values: pd.api.extensions.ExtensionArray | pd.Series) -> np.ndarray:
    """A metric column as floats, NaN where there is no value."""
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.to_numpy(dtype=float, na_value=np.nan)
    return pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _float_array(values: np.ndarray) -> pd.arrays.FloatingArray:
    missing = np.isnan(values)
    return pd.arrays.FloatingArray(np.where(missing, 0.0, values), missing)


def _ranked(column: dict[str, pd.api.extensions.ExtensionArray], metric_id: str, higher_is_better: bool,
            in_group: np.ndarray, own_id: int | None, platform: str, period: str) -> tuple[pd.DataFrame, float]:
    """The ranking's rows in its order, and the peer median (NaN when no member has a value)."""
    # A few hundred rows: numpy, not DataFrame operations, whose overhead would cost more than the query.
    value = _as_float(column[metric_id])
    ids = column["organisation_id"].to_numpy(dtype="int64")
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
    order = np.lexsort((column["organisation"].to_numpy(dtype=object), ~in_group,
                        np.where(known, rank, np.iinfo(np.int64).max)))

    def passed(name: str):
        return column[name].take(order)

    frame = pd.DataFrame({
        "rank": pd.arrays.IntegerArray(rank[order].astype("int64"), ~known[order]),
        **{c: passed(c) for c in ("organisation_id", "organisation")},
        "platform": platform,
        "period": period,
        **{c: passed(c) for c in ("code", "country", "kind", "pages")},
        "value": passed(metric_id),
        "percentile": _float_array(percentile[order]),
        "peer_median": _float_array(np.full(len(ids), median)),
        "difference_from_median": _float_array(value[order] - median),
        "is_own": ids[order] == (own_id if own_id else -1),
        "in_group": in_group[order],
        "is_demo": column["is_demo"].to_numpy(dtype=bool, na_value=False)[order],
    })
    return frame, median


def group_summary(store: Store, group: PeerGroup, platform: str, period: Period) -> GroupSummary:
    """The line the old quarterly reports opened with: posting rhythm, largest, fastest, losers."""
    rows = metric_table(store, group.organisation_ids, platform, [period], metrics=SUMMARY_METRICS)
    return _summary_of(_columns(rows))


def _summary_of(column: dict[str, pd.api.extensions.ExtensionArray],
                members: np.ndarray | None = None) -> GroupSummary:
    """The summary line over the metric rows of the group's members (one row each; `members`: their
    positions, when the rows hold others too)."""

    def picked(values: np.ndarray) -> np.ndarray:
        return values if members is None else values[members]

    names = picked(column["organisation"].to_numpy(dtype=object))
    followers, posts = picked(_as_float(column["followers"])), picked(_as_float(column["posts"]))
    per_month = picked(_as_float(column["posts_per_month"]))
    per_month = per_month[~np.isnan(per_month)]
    growth = picked(_as_float(column["followers_change_pct"]))
    change = picked(_as_float(column["followers_change"]))
    losing = np.flatnonzero(change < 0)
    has_followers, has_growth = bool((~np.isnan(followers)).any()), bool((~np.isnan(growth)).any())
    return GroupSummary(
        members=len(names),
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
        # One row per organisation and period: the bands per period with numpy, each period's peers
        # found through its number (`factorize`) rather than by comparing labels once per period.
        column = _columns(rows)
        period_of = pd.factorize(column["period"].to_numpy(dtype=object))[0]
        org_ids = column["organisation_id"].to_numpy(dtype="int64")
        values = _as_float(column[metric.id])
        demo = column["is_demo"].to_numpy(dtype=bool, na_value=False)
        in_group = np.isin(org_ids, np.asarray(group.organisation_ids, dtype="int64"))
        own_rows = np.flatnonzero(org_ids == organisation.organisation_id)
        known = np.flatnonzero(in_group & ~np.isnan(values))
        known = known[np.argsort(period_of[known], kind="stable")]
        periods_count = int(period_of.max()) + 1
        count = np.bincount(period_of[known], minlength=periods_count)
        bands = np.full((periods_count, 3), np.nan)  # q1, median, q3 of each period's peers
        # One np.quantile over every period with the same number of values: the same arithmetic as
        # one call per period, at a fraction of the calls.
        first = np.concatenate(([0], np.cumsum(count)[:-1]))
        for size in np.unique(count[count > 0]):
            same = np.flatnonzero(count == size)
            block = values[known[first[same][:, None] + np.arange(size)]]
            bands[same] = np.quantile(block, [0.25, 0.5, 0.75], axis=1).T
        peer_demo = np.bincount(period_of[in_group & demo], minlength=periods_count) > 0
        own_period = period_of[own_rows]
        q1, median, q3 = bands[own_period].T
        frame = pd.DataFrame({
            "period": column["period"].take(own_rows),
            "period_start": column["period_start"].take(own_rows),
            "value": column[metric.id].take(own_rows),
            "peer_median": _float_array(median),
            "peer_q1": _float_array(q1),
            "peer_q3": _float_array(q3),
            "peers_with_data": count[own_period].astype("int64"),
            "is_demo": demo[own_rows] | peer_demo[own_period],
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
