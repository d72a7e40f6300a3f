"""Large synthetic data sets for measuring the dashboard at national scale.

`benchmark demo --scale national|xl|tiny` writes one of these instead of the
monthly demo data (`benchmark/demo.py`). They are demo data in every respect:
one `imports` row with `source_kind = 'demo'`, `is_demo = true` and
`format = 'scale-<name>-v1'`, accounts with `is_demo = true`, earlier demo data
removed first, and `benchmark demo --remove` deletes it all.

| scale | organisations | grain | span | measures per account-period | table |
|---|---|---|---|---|---|
| tiny | 24: the 21 Swedish regions, then three more | ISO week | 2024-01-01 .. 2024-12-29 (52 weeks) | followers, posts, reactions, comments, shares, reach | period_values |
| national | whole registry (≈1,363) | ISO week | 2016-01-04 .. 2025-12-28 (521 weeks) | same (6) | period_values |
| xl | whole registry | day | 2016-01-01 .. 2025-12-31 (3,653 days) | followers, posts, reactions, comments, shares (5; no reach) | account_daily |

Accounts: every organisation is present on facebook, instagram, linkedin and
youtube with a probability by kind (as in the monthly demo), and larger bodies
run extra pages (a region's health-care and culture pages, a city's culture
and library pages …), which is how the national set reaches ≥ 3 million
account-weeks (≈ 5,900 accounts × 521 weeks).

Reach is non-additive (unique people): a weekly reach row can only be shown
for exactly that week. It is written for tiny and national; xl leaves it out
to bound its size (a daily reach row would add 22 million rows nobody can sum).

Posts: post-level rows only for the last 52 weeks (national, tiny) or the last
365 days (xl), for every account; each period's posts add up exactly to that
period's posts/reactions/comments/shares figures (reactions are split evenly,
the remainder going to the first posts). Ten years of post rows would be
~8 million rows of detail that no view reads.

Everything is computed by DuckDB in set-based SQL (`range(…) CROSS JOIN`
accounts, then UNPIVOT to the long measure rows) inside one `store.writer()`
transaction. Randomness is `hash()` of a stable key (country, kind, code,
platform, page number), never the account id, so the same registry gives the
same figures whatever ids the accounts get; 16-bit slices of one 64-bit hash
give four uniform numbers. (DuckDB's `hash` is stable for the pinned DuckDB
version; a DuckDB upgrade may change the figures, never their shape.)

Figures: followers at the last period scale with population^0.75 for regions
and municipalities (lognormal around 7,000 for agencies), as in the monthly
demo, and grow (or, for one page in ten, shrink) exponentially and smoothly
towards it, so a page's followers never reverse direction; posts run at about
5 a week for regions and municipalities and 2 for agencies on Facebook (other
platforms less), with some empty weeks; engagement per post is a share of
followers that falls with page size. The demo's published anchors (Region
Skåne, Polisen, SMHI …) are applied to the main pages.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from . import summaries
from .demo import ANCHORS, DEMO_NOTICE, remove_demo
from .auth import Actor, Permit, authorise
from .errors import BenchmarkError
from .keys import check_unique
from .store import Store

PLATFORMS = ("facebook", "instagram", "linkedin", "youtube")


@dataclass(frozen=True)
class Scale:
    name: str
    grain: str  # "week" or "day"
    first_day: date  # first day of the first period
    last_day: date  # last day of the last period
    organisations: int | None  # the first N organisations (Swedish regions first); None = all
    measures: tuple[str, ...]
    table: str  # period_values (weeks) or account_daily (days)
    post_periods: int  # post-level rows for this many of the last periods

    @property
    def format(self) -> str:
        return f"scale-{self.name}-v1"

    @property
    def step(self) -> int:
        return 7 if self.grain == "week" else 1

    @property
    def periods(self) -> int:
        return ((self.last_day - self.first_day).days + 1) // self.step


_WEEKLY = ("followers", "posts", "reactions", "comments", "shares", "reach")
SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", "week", date(2024, 1, 1), date(2024, 12, 29), 24, _WEEKLY, "period_values", 52),
    "national": Scale("national", "week", date(2016, 1, 4), date(2025, 12, 28), None, _WEEKLY, "period_values", 52),
    "xl": Scale("xl", "day", date(2016, 1, 1), date(2025, 12, 31), None, _WEEKLY[:5], "account_daily", 365),
}

# Share of bodies of each kind with a (main) account on the platform.
PRESENCE = {
    "facebook": {"region": 1.0, "municipality": 0.97, "agency": 0.85},
    "instagram": {"region": 1.0, "municipality": 0.85, "agency": 0.55},
    "linkedin": {"region": 1.0, "municipality": 0.85, "agency": 0.95},
    "youtube": {"region": 0.9, "municipality": 0.65, "agency": 0.6},
}
# Followers relative to Facebook.
SIZE = {
    "facebook": {"region": 1.0, "municipality": 1.0, "agency": 1.0},
    "instagram": {"region": 0.45, "municipality": 0.5, "agency": 0.35},
    "linkedin": {"region": 0.7, "municipality": 0.3, "agency": 1.1},
    "youtube": {"region": 0.12, "municipality": 0.08, "agency": 0.2},
}
# Posts relative to Facebook; engagements per post as a share of followers (page of 5,000).
POSTS = {"facebook": 1.0, "instagram": 0.45, "linkedin": 0.35, "youtube": 0.1}
ENGAGEMENT = {"facebook": 0.012, "instagram": 0.03, "linkedin": 0.008, "youtube": 0.01}
# Yearly log-growth of followers: mean and spread.
GROWTH = {"facebook": (0.05, 0.04), "instagram": (0.14, 0.06), "linkedin": (0.18, 0.06), "youtube": (0.10, 0.05)}
# Facebook posts a month by kind (the demo's 2022-25 level).
POSTS_PER_MONTH = {"region": 21, "municipality": 24, "agency": 9}
FOLLOWER_SCALE = {"region": 0.85, "municipality": 3.0}
AGENCY_MEDIAN_FOLLOWERS = 7_000
ANCHOR_DAY = date(2022, 9, 30)
# Extra pages of one organisation on a platform: their names' suffixes by kind.
EXTRA_PAGE_NAMES = {
    "region": ("Vård och hälsa", "Kultur", "Kollektivtrafik", "Jobb"),
    "municipality": ("Kultur och fritid", "Biblioteken", "Näringsliv", "Skola"),
    "agency": ("Press", "Jobb"),
}


def _u(h: str, i: int) -> str:
    """The i-th (0..3) uniform number in [0, 1) taken from 16 bits of the 64-bit hash `h`."""
    return f"((({h}) >> {16 * i}) & 65535) / 65536.0"


def _normal(h: str) -> str:
    """About N(0, 1): the sum of three uniforms (Irwin-Hall), centred and scaled."""
    return f"(({_u(h, 0)} + {_u(h, 1)} + {_u(h, 2)} - 1.5) * 2.0)"


def _table(name: str, columns: tuple[str, ...], rows: list[tuple]) -> str:
    """A VALUES list of the module's fixed constants (never user input)."""
    def literal(v: object) -> str:
        if v is None:
            return "NULL"
        if isinstance(v, str):
            return "'" + v.replace("'", "''") + "'"
        return repr(v)
    body = ", ".join("(" + ", ".join(literal(v) for v in row) + ")" for row in rows)
    return f"{name}({', '.join(columns)}) AS (VALUES {body})"


def _plan_sql() -> str:
    """One row per generated account with its fixed parameters."""
    platforms = _table(
        "plat", ("platform", "kind", "presence", "size", "posts", "engagement", "growth_mean", "growth_sd"),
        [(p, k, PRESENCE[p][k], SIZE[p][k], POSTS[p], ENGAGEMENT[p], *GROWTH[p])
         for p in PLATFORMS for k in ("region", "municipality", "agency")],
    )
    anchors = _table(
        "anchor", ("name", "followers", "posts_factor", "engagement_factor"),
        [(a.organisation, a.followers_2022_09, a.posts_factor, a.engagement_factor) for a in ANCHORS],
    )
    suffixes = {k: "[" + ", ".join("'" + s + "'" for s in v) + "]" for k, v in EXTRA_PAGE_NAMES.items()}
    h1, h2, h3 = "hash(akey, 'size')", "hash(akey, 'growth')", "hash(akey, 'habits')"
    return f"""
WITH {platforms}, {anchors},
orgs AS (
    SELECT organisation_id, country, kind, code, name, population,
           country || ':' || kind || ':' || code AS org_key
    FROM organisations
    -- The Swedish regions first, so that a small scale holds a complete peer group.
    QUALIFY row_number() OVER (ORDER BY country <> 'SE', kind <> 'region', organisation_id) <= $organisations
),
present AS (
    SELECT * FROM (
        SELECT o.*, p.* EXCLUDE (kind), hash(o.org_key, p.platform, 'presence') AS hp
        FROM orgs o JOIN plat p USING (kind)
    ) WHERE {_u("hp", 0)} < presence
),
pages AS (
    -- Larger bodies run extra pages (regions also on Instagram and LinkedIn, bigger towns on Instagram).
    SELECT *, unnest(range(1 + CASE
        WHEN platform = 'facebook' AND kind = 'region' THEN 3
        WHEN platform IN ('instagram', 'linkedin') AND kind = 'region' THEN 1
        WHEN platform = 'facebook' AND kind = 'municipality' THEN
            CASE WHEN population >= 100000 THEN 3 WHEN population >= 30000 THEN 2
                 WHEN population >= 10000 THEN 1 ELSE 0 END
        WHEN platform = 'instagram' AND kind = 'municipality' AND population >= 15000 THEN 1
        WHEN platform = 'facebook' AND kind = 'agency' AND {_u("hp", 1)} < 0.3 THEN 1
        ELSE 0 END)) AS page_no
    FROM present
),
keyed AS (
    SELECT *, hash(org_key, platform, page_no) AS akey,
           CASE WHEN page_no = 0 THEN name
                ELSE name || ' – ' || CASE kind WHEN 'region' THEN {suffixes["region"]}[page_no]
                                                WHEN 'municipality' THEN {suffixes["municipality"]}[page_no]
                                                ELSE {suffixes["agency"]}[page_no] END
           END AS account_name
    FROM pages
),
drawn AS (
    SELECT k.*,
           CASE WHEN kind = 'agency' THEN {AGENCY_MEDIAN_FOLLOWERS} * exp(1.1 * {_normal(h1)})
                ELSE CASE kind WHEN 'region' THEN {FOLLOWER_SCALE["region"]} ELSE {FOLLOWER_SCALE["municipality"]} END
                     * pow(greatest(coalesce(population, 1), 1), 0.75)
                     * least(greatest(exp(0.3 * {_normal(h1)}), 0.6), 1.3)
           END * size * CASE WHEN page_no = 0 THEN 1 ELSE 0.08 + 0.2 * {_u(h1, 3)} END AS followers_raw,
           CASE WHEN {_u(h2, 3)} < 0.1 THEN -(0.02 + 0.06 * {_u(h2, 0)})
                ELSE growth_mean + growth_sd * {_normal(h2)} END AS growth,
           least(greatest(exp(0.5 * {_normal(h3)} - 0.125), 0.25), 2.2)
               * CASE WHEN page_no = 0 THEN 1 ELSE 0.5 END AS posts_factor_raw,
           exp(0.45 * ((({_u(h3, 3)}) + ({_u(h2, 1)}) + ({_u(h2, 2)}) - 1.5) * 2.0) - 0.1) AS engagement_raw
    FROM keyed k
)
SELECT d.organisation_id, d.platform, d.account_name AS name, d.page_no, d.kind, d.akey, d.growth,
       -- Followers on the last day of the data; an anchor fixes the level on ANCHOR_DAY instead.
       CASE WHEN a.followers IS NOT NULL AND d.page_no = 0
            THEN a.followers * d.size * exp(d.growth * ($last_day::DATE - DATE '{ANCHOR_DAY}') / 365.25)
            ELSE d.followers_raw END AS followers_last,
       CASE d.kind WHEN 'region' THEN {POSTS_PER_MONTH["region"]}
            WHEN 'municipality' THEN {POSTS_PER_MONTH["municipality"]} ELSE {POSTS_PER_MONTH["agency"]} END
           * 12 / 365.25 * $step * d.posts
           * CASE WHEN d.page_no = 0 AND a.posts_factor IS NOT NULL THEN a.posts_factor ELSE d.posts_factor_raw END
           AS posts_rate,
       d.engagement * pow(greatest(d.followers_raw, 20) / 5000, -0.3)
           * CASE WHEN d.page_no = 0 AND a.engagement_factor IS NOT NULL THEN a.engagement_factor
                  ELSE d.engagement_raw END AS engagement_rate
FROM drawn d LEFT JOIN anchor a ON a.name = d.name
"""


def _wide_sql(scale: Scale, first_period: int) -> str:
    """One row per account and period (from `first_period` on) with every measure as a column."""
    reach = (
        ", greatest(round(followers * (0.3 + 0.5 * " + _u("h2", 0) + ") * sqrt(greatest(posts, 1) / 5.0)), 0)"
        "::BIGINT AS reach"
    ) if "reach" in scale.measures else ""
    return f"""
SELECT account_id, akey, t, s, e, followers, posts,
       round(engagements * (0.72 + 0.12 * {_u("h2", 1)}))::BIGINT AS reactions,
       round(engagements * (0.06 + 0.06 * {_u("h2", 2)}))::BIGINT AS comments,
       round(engagements * (0.04 + 0.08 * {_u("h2", 3)}))::BIGINT AS shares
       {reach}
FROM (
    SELECT *, posts * followers * engagement_rate * (0.5 + {_u("h1", 3)}) AS engagements
    FROM (
        SELECT a.account_id, a.akey, a.t,
               $first_day::DATE + (a.t * {scale.step})::INTEGER AS s,
               $first_day::DATE + (a.t * {scale.step} + {scale.step - 1})::INTEGER AS e,
               a.engagement_rate,
               -- Smooth exponential path to the last level: the page's followers never reverse direction.
               greatest(round(a.followers_last * exp(-a.growth * ({scale.periods - 1} - a.t) * {scale.step} / 365.25)),
                        20)::BIGINT AS followers,
               -- Quiet periods (holidays) with no posts at all, else the rate with dithered rounding.
               CASE WHEN {_u("h1", 2)} < 0.05 THEN 0
                    ELSE floor(a.posts_rate * (0.3 + 1.4 * {_u("h1", 0)}) + {_u("h1", 1)}) END::BIGINT AS posts,
               h1, h2
        FROM (
            SELECT a.*, g.t, hash(a.akey, g.t) AS h1, hash(a.akey, g.t, 'engagement') AS h2
            FROM (SELECT range AS t FROM range({first_period}, {scale.periods})) g CROSS JOIN scale_accounts a
        ) a
    )
)
"""


POST_TYPES = ("Photo", "Link", "Video", "Reel", "Status")
POST_TOPICS = (
    "Vaccination: så bokar du tid", "Nya öppettider", "Lediga jobb just nu", "Trafikinformation",
    "Kulturkalendern i helgen", "Krisberedskap: ha hemberedskap", "Så tyckte invånarna i enkäten",
    "Nytt beslut i fullmäktige", "Sommarjobb för unga", "Tips inför vintern", "Välkommen till öppet hus",
    "Så använder vi skattepengarna",
)


def _posts_sql(scale: Scale) -> str:
    topics = "[" + ", ".join("'" + t + "'" for t in POST_TOPICS) + "]"
    types = "[" + ", ".join("'" + t + "'" for t in POST_TYPES) + "]"
    return f"""
SELECT account_id,
       'scale-' || lower(hex(akey)) || '-' || t || '-' || k AS post_id,
       s::TIMESTAMP + to_seconds(floor({_u("hp", 0)} * {scale.step * 86400})::BIGINT) AS published_at,
       {types}[1 + ((hp >> 16) % {len(POST_TYPES)})::INTEGER] AS post_type,
       {topics}[1 + ((hp >> 32) % {len(POST_TOPICS)})::INTEGER] || ' (demo)' AS title,
       reactions // posts + CASE WHEN k < reactions % posts THEN 1 ELSE 0 END AS reactions,
       comments // posts + CASE WHEN k < comments % posts THEN 1 ELSE 0 END AS comments,
       shares // posts + CASE WHEN k < shares % posts THEN 1 ELSE 0 END AS shares
FROM (
    SELECT *, hash(akey, t, k, 'post') AS hp
    FROM (SELECT *, unnest(range(posts)) AS k FROM ({_wide_sql(scale, scale.periods - scale.post_periods)}) WHERE posts > 0)
)
"""


def load_scale(store: Store, name: str, *, actor: Actor,
               progress: Callable[[str], None] | None = None) -> dict[str, float]:
    """Replace any demo data with the scale data set `name`, in one transaction.

    Returns the counts (accounts, values, posts, periods) and the seconds it took.
    """
    permit = authorise(actor, "demo_data")
    if name not in SCALES:
        raise BenchmarkError("demo.unknown_scale", name=name, scales=", ".join(SCALES))
    scale = SCALES[name]
    say = progress or (lambda _text: None)
    if not store.scalar("SELECT count(*) FROM organisations"):
        raise BenchmarkError("demo.registry_empty")
    started = time.perf_counter()
    remove_demo(store, actor=actor)
    with store.bulk_memory():
        counts = _write(store, scale, say, permit)
    return {**counts, "seconds": round(time.perf_counter() - started, 1)}


def account_plan(store: Store, name: str) -> pd.DataFrame:
    """The accounts the scale would generate (one row each, with its parameters); writes nothing."""
    scale = SCALES[name]
    return store.frame(_plan_sql(), _plan_params(scale))


def _plan_params(scale: Scale) -> dict:
    return {"organisations": scale.organisations or 2**31 - 1, "last_day": scale.last_day, "step": scale.step}


def _write(store: Store, scale: Scale, say: Callable[[str], None], permit: Permit) -> dict[str, int]:
    params = {"first_day": scale.first_day}
    with store.writer(permit) as cur:
        import_id = cur.execute(
            "INSERT INTO imports (source_kind, format, is_demo, created_by, note) "
            "VALUES ('demo', ?, true, 'system', ?) RETURNING import_id",
            [scale.format, (f"synthetic {scale.name}-scale data ({'weekly' if scale.grain == 'week' else 'daily'} "
                            f"{scale.first_day}..{scale.last_day}), hash-seeded; {DEMO_NOTICE}")],
        ).fetchone()[0]
        say("accounts")
        cur.execute("CREATE OR REPLACE TEMP TABLE scale_plan AS " + _plan_sql(), _plan_params(scale))
        cur.execute(
            "INSERT INTO accounts (organisation_id, platform, name, is_demo, import_id) "
            "SELECT organisation_id, platform, name, true, ? FROM scale_plan ORDER BY akey",
            [import_id],
        )
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE scale_accounts AS "
            "SELECT a.account_id, p.* FROM scale_plan p JOIN accounts a "
            "ON a.organisation_id = p.organisation_id AND a.platform = p.platform AND a.name = p.name "
            "AND a.is_demo AND a.import_id = ?",
            [import_id],
        )
        accounts = cur.execute("SELECT count(*) FROM scale_accounts").fetchone()[0]
        say(f"{scale.table}: {accounts} accounts × {scale.periods} {scale.grain}s × {len(scale.measures)} measures")
        measures = ", ".join(scale.measures)
        if scale.table == "period_values":
            cur.execute(
                "INSERT INTO period_values (account_id, measure, period_start, period_end, value, import_id) "
                f"SELECT account_id, measure, s, e, value, {int(import_id)} "
                f"FROM (UNPIVOT ({_wide_sql(scale, 0)}) ON {measures} INTO NAME measure VALUE value)",
                params,
            )
        else:
            cur.execute(
                "INSERT INTO account_daily (account_id, measure, day, value, import_id) "
                f"SELECT account_id, measure, s, value, {int(import_id)} "
                f"FROM (UNPIVOT ({_wide_sql(scale, 0)}) ON {measures} INTO NAME measure VALUE value)",
                params,
            )
        values = cur.execute(f"SELECT count(*) FROM {scale.table} WHERE import_id = ?", [import_id]).fetchone()[0]
        check_unique(cur, scale.table, f"SELECT * FROM {scale.table} WHERE import_id = ?", [import_id])
        say("posts")
        cur.execute(
            "INSERT INTO posts (account_id, post_id, published_at, post_type, title, reactions, comments, shares, "
            f"import_id) SELECT *, {int(import_id)} FROM ({_posts_sql(scale)})",
            params,
        )
        posts = cur.execute("SELECT count(*) FROM posts WHERE import_id = ?", [import_id]).fetchone()[0]
        cur.execute("UPDATE imports SET row_count = ? WHERE import_id = ?", [accounts + values + posts, import_id])
        say("period summaries")
        summaries.refresh(cur, [r[0] for r in cur.execute("SELECT account_id FROM scale_accounts").fetchall()])
        cur.execute("DROP TABLE scale_accounts")
        cur.execute("DROP TABLE scale_plan")
    return {"accounts": int(accounts), "values": int(values), "posts": int(posts), "periods": scale.periods}
