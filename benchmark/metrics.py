"""Measures and metrics, each defined once, as data.

A *measure* is a number the platforms report and the store keeps (followers,
posts, reactions …); it says how it aggregates over time. A *metric* is what
the dashboard shows: an SQL expression over the measures of one organisation
and period. The SQL in `query.py`, the docs in `docs/metrics.md`, the labels on
the pages and the CSV columns are all derived from the two tables below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import NotFoundError

ADDITIVE = "additive"  # sum over the days of a period (posts, reactions)
STOCK = "stock"  # a level read at a date: the last value of a period (followers)
NON_ADDITIVE = "non_additive"  # unique counts (reach): valid only for the period it was reported for
DERIVED = "derived"  # computed from other measures of the same period

AGGREGATION_TEXT = {
    ADDITIVE: "additive: the sum over the days of the period",
    STOCK: "stock: the value at the end of the period",
    NON_ADDITIVE: (
        "non-additive: unique people, so never summed across days or months; "
        "shown only for a period the platform reported it for"
    ),
    DERIVED: "derived from the measures of the same period",
}


@dataclass(frozen=True)
class Measure:
    id: str
    label: str
    aggregation: str
    description: str


MEASURES: tuple[Measure, ...] = (
    Measure("followers", "Followers", STOCK, "Accounts following the page at the end of the day or period."),
    Measure("new_followers", "New followers", ADDITIVE, "Accounts that started following during the period (gross, before unfollows)."),
    Measure("posts", "Posts", ADDITIVE, "Posts published by the page in the period (feed posts, reels, videos)."),
    Measure("reactions", "Reactions", ADDITIVE, "Reactions or likes on the page's posts of the period."),
    Measure("comments", "Comments", ADDITIVE, "Comments or replies on the page's posts of the period."),
    Measure("shares", "Shares", ADDITIVE, "Shares or reposts of the page's posts of the period."),
    Measure("reach", "Reach", NON_ADDITIVE, "Unique accounts that saw any of the page's content in the period."),
    Measure("video_views", "Video views", ADDITIVE, "Video views as counted by the platform."),
    Measure("link_clicks", "Link clicks", ADDITIVE, "Clicks on links in the page's posts."),
    Measure("views", "Views", ADDITIVE, "Times the page's content was shown (Meta 'Views', LinkedIn and X 'Impressions')."),
    Measure("profile_visits", "Profile visits", ADDITIVE, "Visits to the page or profile itself (Meta 'Visits', LinkedIn 'Page views', TikTok 'Profile views')."),
    Measure("net_followers", "Net follower change", ADDITIVE, "Follows minus unfollows in the period; may be negative (YouTube 'Subscribers', TikTok 'Net growth')."),
    Measure("interactions", "Interactions (platform total)", ADDITIVE, "Content interactions as the platform totals them (reactions, comments, shares, saves …), for exports that give only the total."),
)
# Measures whose stored value may be below zero; every other count is checked to be >= 0.
SIGNED_MEASURES = ("net_followers",)
MEASURE_IDS = tuple(m.id for m in MEASURES)
MEASURES_BY_ID = {m.id: m for m in MEASURES}

# What "engagements" counts on each platform, in the platform's own words.
# Every component is stored under the measures reactions / comments / shares.
ENGAGEMENT_COMPONENTS: dict[str, str] = {
    "facebook": "reactions + comments + shares",
    "instagram": "likes + comments + shares",
    "linkedin": "reactions + comments + reposts",
    "x": "likes + replies + reposts",
    "youtube": "likes + comments + shares",
    "tiktok": "likes + comments + shares",
}

# Columns of the per-organisation, per-period row that metric SQL may use.
# followers_start is the follower count at the end of the day before the
# period starts, which is also the end of the previous period of equal length.
METRIC_INPUTS = (
    "followers_end",
    "followers_start",
    "new_followers",
    "posts",
    "reactions",
    "comments",
    "shares",
    "reach",
    "video_views",
    "link_clicks",
    "views",
    "profile_visits",
    "net_followers",
    "interactions",
    "population",
    "days",
)

_ENGAGEMENTS = "(reactions + comments + shares)"


@dataclass(frozen=True)
class Metric:
    id: str
    label: str
    unit: str  # shown after the value: "", "%", "per post", …
    aggregation: str
    sql: str
    formula: str
    explanation: str
    source: str
    higher_is_better: bool = True
    decimals: int = 0


METRICS: tuple[Metric, ...] = (
    Metric(
        "followers", "Followers", "", STOCK, "followers_end",
        "followers at the end of the period",
        "How many follow the page on the last day of the period.",
        "Pages to Watch 'total page likes/followers'; Kommunikationsanalys 'largest page'.",
    ),
    Metric(
        "followers_change", "Follower change", "", DERIVED, "followers_end - followers_start",
        "followers at end − followers at end of the previous period of equal length",
        "Net gain or loss of followers over the period.",
        "Pages to Watch; Sprout Social 'net follower growth'.",
    ),
    Metric(
        "followers_change_pct", "Follower change %", "%", DERIVED,
        "100.0 * (followers_end - followers_start) / nullif(followers_start, 0)",
        "(followers at end − followers at start) ÷ followers at start × 100",
        "Growth in per cent against the end of the previous period of equal length.",
        "Pages to Watch '% change from last week'; Kommunikationsanalys 'fastest growth'.",
        decimals=1,
    ),
    Metric(
        "new_followers", "New followers", "", ADDITIVE, "new_followers",
        "sum of new follows in the period (gross)",
        "Accounts that started following during the period, before unfollows.",
        "Meta Business Suite 'Follows'; LinkedIn 'new followers'.",
    ),
    Metric(
        "posts", "Posts", "", ADDITIVE, "posts",
        "number of posts published in the period",
        "Posts the page published in the period.",
        "Pages to Watch 'posts this week'.",
    ),
    Metric(
        "posts_per_month", "Posts per month", "per month", DERIVED,
        "posts / days * 365.25 / 12",
        "posts ÷ days in period × 365.25 ÷ 12",
        "Posting rhythm, comparable across periods of different length.",
        "Kommunikationsanalys 'average posts per month'.",
        decimals=1,
    ),
    Metric(
        "engagements", "Engagements", "", ADDITIVE, _ENGAGEMENTS,
        "reactions + comments + shares (per platform, see the table below)",
        "Reactions, comments and shares on the period's posts.",
        "Pages to Watch 'engagement this week'; Brandwatch 'total engagement'.",
    ),
    Metric(
        "engagements_per_post", "Engagements per post", "per post", DERIVED,
        f"{_ENGAGEMENTS} / nullif(posts, 0)",
        "engagements ÷ posts (no value when there were no posts)",
        "Average reactions, comments and shares a post received.",
        "Sprout Social 'public engagements per post'; Orlo 'average engagement per post'.",
        decimals=1,
    ),
    Metric(
        "engagement_rate_by_follower", "Engagement rate by follower", "%", DERIVED,
        f"100.0 * {_ENGAGEMENTS} / nullif(posts, 0) / nullif(followers_end, 0)",
        "engagements ÷ posts ÷ followers at end of period × 100",
        "Share of followers who engaged with an average post; fair between small and large pages.",
        "Rival IQ 'engagement rate by follower'; Orlo 'average engagement rate' (followers on the last day).",
        decimals=2,
    ),
    Metric(
        "interaction_rate", "Interaction rate", "%", DERIVED,
        f"100.0 * {_ENGAGEMENTS} / nullif(posts, 0) / nullif((followers_start + followers_end) / 2.0, 0)",
        "engagements ÷ posts ÷ ((followers at start + followers at end) ÷ 2) × 100",
        "Like the engagement rate, but on the period's average follower count.",
        "Quintly 'interaction rate' (average fans = (start + end) ÷ 2).",
        decimals=2,
    ),
    Metric(
        "reach", "Reach", "", NON_ADDITIVE, "reach",
        "unique accounts reached, as reported for exactly this period",
        "Unique accounts that saw the page's content; only own pages report it.",
        "Meta Business Suite 'Reach'; never summed across days (unique people).",
    ),
    Metric(
        "reach_per_post", "Reach per post", "per post", DERIVED, "reach / nullif(posts, 0)",
        "reach ÷ posts",
        "Unique accounts reached per post published.",
        "Derived from the platforms' reach; own pages only.",
        decimals=1,
    ),
    Metric(
        "followers_per_1000_inhabitants", "Followers per 1,000 inhabitants", "per 1,000", DERIVED,
        "1000.0 * followers_end / nullif(population, 0)",
        "followers at end of period ÷ population × 1,000",
        "Followers relative to the population the body serves; fair between small and large bodies.",
        "This project (population from the official statistics in the registry; no value for agencies).",
        decimals=1,
    ),
    Metric(
        "views", "Views", "", ADDITIVE, "views",
        "sum of views (impressions) in the period",
        "How many times the page's content was shown.",
        "Meta Business Suite 'Views'; LinkedIn and X 'Impressions'.",
    ),
    Metric(
        "profile_visits", "Profile visits", "", ADDITIVE, "profile_visits",
        "sum of visits to the page or profile in the period",
        "Visits to the page or profile itself, not to its posts.",
        "Meta Business Suite 'Visits'; LinkedIn 'Page views'; TikTok 'Profile views'.",
    ),
    Metric(
        "net_followers", "Net follower change", "", ADDITIVE, "net_followers",
        "sum of follows minus unfollows in the period",
        "Net gain or loss of followers as the platform reports it, for platforms that do not export a "
        "follower count (YouTube, TikTok).",
        "YouTube Studio 'Subscribers'; TikTok 'Net growth'.",
    ),
    Metric(
        "interactions", "Interactions (platform total)", "", ADDITIVE, "interactions",
        "sum of content interactions as the platform totals them",
        "The platform's own total of interactions (it may include saves and clicks), for exports that do "
        "not split it into reactions, comments and shares; not comparable with Engagements.",
        "Meta Business Suite 'Content interactions'.",
    ),
)
METRIC_IDS = tuple(m.id for m in METRICS)
METRICS_BY_ID = {m.id: m for m in METRICS}

# The columns of the Pages-to-watch table, in the panel's order.
WATCH_METRICS = (
    "followers",
    "followers_change_pct",
    "posts",
    "engagements",
    "engagements_per_post",
    "engagement_rate_by_follower",
)


def metric_inputs(metric: Metric) -> frozenset[str]:
    """The METRIC_INPUTS its SQL reads; followers_end for the followers it shows, etc."""
    return frozenset(re.findall(r"[a-z_0-9]+", metric.sql)) & frozenset(METRIC_INPUTS)


def get_metric(metric_id: str) -> Metric:
    try:
        return METRICS_BY_ID[metric_id]
    except KeyError:
        import difflib

        raise NotFoundError("metric", metric_id, difflib.get_close_matches(metric_id, METRIC_IDS, n=3, cutoff=0.5)) from None


def format_value(metric: Metric, value: object) -> str:
    """A plain (English) rendering for the command line and tests; pages use column formats."""
    if value is None or value != value:  # NaN check without numpy
        return "no data"
    number = float(value)  # type: ignore[arg-type]
    text = f"{number:,.{metric.decimals}f}"
    if metric.unit == "%":
        return text + " %"
    return text
