"""Deterministic synthetic demo data, calibrated to published facts.

Everything here is invented: the numbers only *look* like the real field so
that the dashboard can be tried before anyone uploads a file. Every row
written here belongs to an import with `is_demo = true`, every account has
`is_demo = true`, and the pages show "Demo data: synthetic figures, not real
measurements" whenever such a row is on screen. `remove_demo` deletes it all.

Calibration (Kommunikationsanalys' quarterly reports, see
docs/demo-data.md): Swedish regions averaged 32 Facebook posts a month in
2021 and 21 in 2022-Q3, municipalities about 24, agencies about 9–10;
Region Skåne had a little over 73,000 followers in 2022; Polisen about
381,000; SMHI posted the most of the agencies. Follower counts scale with
population; some pages lose followers; engagement per follower falls with
page size, so the largest page is not the most engaging one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from . import summaries
from .auth import Actor, authorise
from .errors import BenchmarkError
from .keys import check_unique
from .migrations import rebuild_table
from .periods import periods_between, quarter_period, year_period
from .store import Store

SEED = 20_210_101
GENERATOR = "demo-v1"
FIRST_MONTH = date(2021, 1, 1)
LAST_MONTH = date(2025, 12, 1)
DEMO_NOTICE = "Demo data: synthetic figures, not real measurements"

# Share of bodies of each kind that have an account on the platform; every region
# has a Facebook page, as in the reports, so the reference group is always complete.
PRESENCE = {
    "facebook": {"region": 1.0, "municipality": 0.96, "agency": 0.8},
    "instagram": {"region": 0.95, "municipality": 0.75, "agency": 0.45},
    "linkedin": {"region": 0.95, "municipality": 0.7, "agency": 0.9},
}
# Followers on the platform relative to Facebook.
PLATFORM_SIZE = {
    "facebook": {"region": 1.0, "municipality": 1.0, "agency": 1.0},
    "instagram": {"region": 0.45, "municipality": 0.5, "agency": 0.35},
    "linkedin": {"region": 0.7, "municipality": 0.3, "agency": 1.1},
}
# Posting relative to Facebook.
PLATFORM_POSTS = {"facebook": 1.0, "instagram": 0.45, "linkedin": 0.35}
# Engagements per post as a share of followers, for a page of 5,000 followers.
PLATFORM_ENGAGEMENT = {"facebook": 0.012, "instagram": 0.03, "linkedin": 0.008}

# Average Facebook posts per month by kind and quarter, as published by
# Kommunikationsanalys for 2021-22 (a quarter they did not report is filled in
# from the year's average and its neighbours); later years stay near the 2022 level.
POSTS_PER_MONTH = {
    "region": {"2021-Q1": 28, "2021-Q2": 36, "2021-Q3": 31, "2021-Q4": 33,
               "2022-Q1": 26, "2022-Q2": 22, "2022-Q3": 21, "2022-Q4": 21,
               "2023": 21, "2024": 20, "2025": 20},
    "municipality": {"2021-Q1": 28, "2021-Q2": 30, "2021-Q3": 25, "2021-Q4": 27,
                     "2022-Q1": 28, "2022-Q2": 28, "2022-Q3": 24, "2022-Q4": 24,
                     "2023": 24, "2024": 23, "2025": 23},
    "agency": {"2021-Q1": 11, "2021-Q2": 11, "2021-Q3": 10, "2021-Q4": 12,
               "2022-Q1": 10, "2022-Q2": 11, "2022-Q3": 9, "2022-Q4": 9,
               "2023": 9, "2024": 9, "2025": 9},
}


def _posting_rate(kind: str, month: date) -> float:
    table = POSTS_PER_MONTH[kind]
    quarter = f"{month.year}-Q{(month.month - 1) // 3 + 1}"
    return float(table.get(quarter, table.get(str(month.year), 0)))


# Followers per (inhabitant ** 0.75) on Facebook, by kind; agencies have no population.
# The noise on it is bounded so that, as published, no region outgrows Region Skåne.
FOLLOWER_SCALE = {"region": 0.85, "municipality": 3.0}
AGENCY_MEDIAN_FOLLOWERS = 7_000


@dataclass(frozen=True)
class Anchor:
    """A published fact the demo reproduces for one named organisation."""

    organisation: str
    followers_2022_09: int | None = None
    posts_factor: float | None = None
    engagement_factor: float | None = None
    source: str = ""


ANCHORS = (
    Anchor("Region Skåne", followers_2022_09=73_400, engagement_factor=0.8,
           source="Kommunikationsanalys Q3 2022: largest region page, 'drygt 73 000' followers"),
    Anchor("Polismyndigheten", followers_2022_09=381_500,
           source="Kommunikationsanalys Q3 2022: Polisen 'drygt 381 000', largest agency page"),
    Anchor("Sveriges meteorologiska och hydrologiska institut", posts_factor=3.8,
           source="Kommunikationsanalys 2021–22: SMHI posted the most of the agencies (98–118 posts a quarter)"),
    Anchor("Region Örebro län", engagement_factor=2.2,
           source="Kommunikationsanalys Q2–Q3 2022: among the best region pages"),
    Anchor("Region Västernorrland", engagement_factor=2.0, posts_factor=1.4,
           source="Kommunikationsanalys Q3 2021 and Q3 2022: best page, most posts"),
)

POST_TOPICS = (
    "Vaccination: så bokar du tid", "Nya öppettider på vårdcentralen", "Lediga jobb just nu",
    "Trafikinformation", "Kulturkalendern i helgen", "Krisberedskap: ha hemberedskap",
    "Så tyckte invånarna i enkäten", "Nytt beslut i fullmäktige", "Sommarjobb för unga",
    "Tips inför vintern", "Välkommen till öppet hus", "Så använder vi skattepengarna",
)


def _months() -> list:
    return periods_between("month", FIRST_MONTH, LAST_MONTH)


def _accounts(orgs: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for platform, share in PRESENCE.items():
        draws = rng.random(len(orgs))
        for (_, org), draw in zip(orgs.iterrows(), draws, strict=True):
            if draw < share[org["kind"]]:
                rows.append({"organisation_id": org["organisation_id"], "platform": platform,
                             "name": org["name"], "kind": org["kind"], "country": org["country"],
                             "population": org["population"]})
    return pd.DataFrame(rows)


def _lognormal_mean_one(rng: np.random.Generator, sigma: float, size: int) -> np.ndarray:
    return rng.lognormal(-sigma**2 / 2, sigma, size)


def generate(orgs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(accounts, period_values, posts) for the given organisations; same input, same output."""
    rng = np.random.default_rng(SEED)
    orgs = orgs.sort_values("organisation_id").reset_index(drop=True)
    accounts = _accounts(orgs, rng)
    n = len(accounts)
    months = _months()
    t = len(months)
    anchor_index = next(i for i, m in enumerate(months) if m.label == "2022-09")
    kind = accounts["kind"].to_numpy()
    platform = accounts["platform"].to_numpy()
    size_factor = np.array([PLATFORM_SIZE[p][k] for p, k in zip(platform, kind, strict=True)])

    # Followers at 2022-09: population ** 0.75 for regions/municipalities, lognormal for agencies.
    population = pd.to_numeric(accounts["population"], errors="coerce").fillna(0).to_numpy(dtype=float)
    scale = np.array([FOLLOWER_SCALE.get(k, 0.0) for k in kind])
    base = np.where(
        kind == "agency",
        rng.lognormal(np.log(AGENCY_MEDIAN_FOLLOWERS), 1.1, n),
        scale * np.power(np.maximum(population, 1.0), 0.75) * np.clip(rng.lognormal(0, 0.3, n), 0.6, 1.3),
    )
    anchor_followers = base * size_factor

    # Bounded so that the published most-active pages (anchors) stay on top.
    posts_factor = np.clip(_lognormal_mean_one(rng, 0.5, n), 0.25, 2.2)
    engagement_factor = _lognormal_mean_one(rng, 0.45, n)
    for anchor in ANCHORS:
        for i in np.flatnonzero(accounts["name"].to_numpy() == anchor.organisation):
            if anchor.followers_2022_09 is not None:
                anchor_followers[i] = anchor.followers_2022_09 * size_factor[i]
            if anchor.posts_factor is not None:
                posts_factor[i] = anchor.posts_factor
            if anchor.engagement_factor is not None:
                engagement_factor[i] = anchor.engagement_factor

    # Each kind × platform keeps the published average rhythm: scale the non-anchored pages
    # so that the group's mean factor is exactly 1, whatever the anchors and the draw.
    anchored = np.isin(accounts["name"].to_numpy(), [a.organisation for a in ANCHORS if a.posts_factor])
    for key in sorted(set(zip(kind, platform, strict=True))):
        members = (kind == key[0]) & (platform == key[1])
        free = members & ~anchored
        if free.any():
            posts_factor[free] *= (members.sum() - posts_factor[members & anchored].sum()) / posts_factor[free].sum()
            # ...and stay below the anchors, so that the published most active pages remain on top.
            posts_factor[free] = np.minimum(posts_factor[free], 2.2)

    # Monthly log-growth: most pages grow, about one in ten drifts downwards.
    drift = np.where(
        platform == "facebook", rng.normal(0.004, 0.004, n),
        np.where(platform == "instagram", rng.normal(0.012, 0.006, n), rng.normal(0.015, 0.006, n)),
    )
    losers = rng.random(n) < 0.1
    drift = np.where(losers, -np.abs(rng.normal(0.004, 0.002, n)), drift)
    steps = drift[:, None] + rng.normal(0, 0.004, (n, t))
    log_level = np.cumsum(steps, axis=1)
    log_level -= log_level[:, [anchor_index]]
    followers = np.round(anchor_followers[:, None] * np.exp(log_level)).astype(np.int64)
    followers = np.maximum(followers, 20)

    previous = np.concatenate([np.round(followers[:, :1] * np.exp(-steps[:, :1])), followers[:, :-1]], axis=1)
    delta = followers - previous
    unfollows = np.round(previous * rng.uniform(0.002, 0.006, (n, t))) + np.maximum(-delta, 0)
    new_followers = (delta + unfollows).astype(np.int64)

    rates = {k: [_posting_rate(k, m.start) for m in months] for k in POSTS_PER_MONTH}
    kind_rate = np.array([rates[k] for k in kind], dtype=float)
    platform_posts = np.array([PLATFORM_POSTS[p] for p in platform])
    posts = rng.poisson(kind_rate * posts_factor[:, None] * platform_posts[:, None] * rng.lognormal(0, 0.15, (n, t)))

    # Engagement per post as a share of followers falls with page size.
    er = np.array([PLATFORM_ENGAGEMENT[p] for p in platform]) * np.power(anchor_followers / 5_000, -0.3) * engagement_factor
    per_post = followers * er[:, None] * rng.lognormal(0, 0.3, (n, t))
    engagements = posts * per_post
    reactions = np.round(engagements * rng.uniform(0.72, 0.84, (n, t))).astype(np.int64)
    comments = np.round(engagements * rng.uniform(0.06, 0.12, (n, t))).astype(np.int64)
    shares = np.round(engagements * rng.uniform(0.04, 0.12, (n, t))).astype(np.int64)
    reach = np.round(followers * rng.lognormal(np.log(1.1), 0.4, (n, 1)) * np.sqrt(np.maximum(posts, 1) / 20)).astype(np.int64)
    video_views = np.round(posts * rng.uniform(0.15, 0.35, (n, 1)) * followers * 0.08).astype(np.int64)
    link_clicks = np.round(posts * followers * rng.uniform(0.0005, 0.002, (n, 1))).astype(np.int64)

    accounts = accounts.assign(account_key=np.arange(n))
    measures = {
        "followers": followers, "new_followers": new_followers, "posts": posts, "reactions": reactions,
        "comments": comments, "shares": shares, "reach": reach, "video_views": video_views,
        "link_clicks": link_clicks,
    }
    starts = np.array([m.start for m in months], dtype="datetime64[D]")
    ends = np.array([m.end for m in months], dtype="datetime64[D]")
    frames = []
    for measure, values in measures.items():
        frames.append(pd.DataFrame({
            "account_key": np.repeat(np.arange(n), t),
            "measure": measure,
            "period_start": np.tile(starts, n),
            "period_end": np.tile(ends, n),
            "value": values.reshape(-1).astype(np.int64),
        }))
    # Reach is unique people, so a quarter or a year is reported on its own:
    # less than the sum of its months, more than any one month.
    for make, width in ((quarter_period, 3), (year_period, 12)):
        spans = sorted({(make(m.start) if width == 3 else make(m.start.year)) for m in months}, key=lambda p: p.start)
        for span in spans:
            idx = [i for i, m in enumerate(months) if span.start <= m.start <= span.end]
            overlap = rng.uniform(0.45, 0.7, n) if width == 3 else rng.uniform(0.25, 0.45, n)
            value = np.round(reach[:, idx].max(axis=1) + overlap * (reach[:, idx].sum(axis=1) - reach[:, idx].max(axis=1)))
            frames.append(pd.DataFrame({
                "account_key": np.arange(n), "measure": "reach",
                "period_start": np.datetime64(span.start, "D"), "period_end": np.datetime64(span.end, "D"),
                "value": value.astype(np.int64),
            }))
    values = pd.concat(frames, ignore_index=True)
    posts_frame = _posts(accounts, months, posts, reactions, comments, shares, rng)
    return accounts, values, posts_frame


def _posts(accounts: pd.DataFrame, months: list, posts: np.ndarray, reactions: np.ndarray,
           comments: np.ndarray, shares: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Post-level rows for Swedish regions on Facebook in 2025-Q4; they add up to the monthly totals."""
    chosen = accounts.index[(accounts["platform"] == "facebook") & (accounts["kind"] == "region")
                            & (accounts["country"] == "SE")]
    rows = []
    for i in chosen:
        for j, month in enumerate(months):
            if month.start < date(2025, 10, 1) or posts[i, j] == 0:
                continue
            count = int(posts[i, j])
            split = [rng.multinomial(int(total[i, j]), rng.dirichlet(np.ones(count))) for total in (reactions, comments, shares)]
            seconds = np.sort(rng.integers(0, month.days * 86_400, count))
            for k in range(count):
                published = datetime.combine(month.start, datetime.min.time()) + timedelta(seconds=int(seconds[k]))
                rows.append({
                    "account_key": i, "post_id": f"demo-{i}-{month.label}-{k + 1:03d}", "published_at": published,
                    "post_type": ("Photo", "Link", "Video", "Reel")[int(rng.integers(0, 4))],
                    "title": f"{POST_TOPICS[int(rng.integers(0, len(POST_TOPICS)))]} (demo)",
                    "reactions": int(split[0][k]), "comments": int(split[1][k]), "shares": int(split[2][k]),
                })
    return pd.DataFrame(rows, columns=["account_key", "post_id", "published_at", "post_type", "title",
                                       "reactions", "comments", "shares"])


def has_demo(store: Store) -> bool:
    return bool(store.scalar("SELECT count(*) FROM imports WHERE is_demo AND status = 'committed'"))


def load_demo(store: Store, *, actor: Actor) -> dict[str, int]:
    """Write the demo data in one transaction (replacing any earlier demo data)."""
    permit = authorise(actor, "demo_data")
    orgs = store.frame("SELECT organisation_id, name, kind, country, population FROM organisations ORDER BY organisation_id")
    if orgs.empty:
        raise BenchmarkError("demo.registry_empty")
    accounts, values, posts = generate(orgs)
    remove_demo(store, actor=actor)
    with store.writer(permit) as cur:
        import_id = cur.execute(
            "INSERT INTO imports (source_kind, format, is_demo, created_by, note) "
            "VALUES ('demo', ?, true, 'system', ?) RETURNING import_id",
            [GENERATOR, f"synthetic demo data, seed {SEED}; {DEMO_NOTICE}"],
        ).fetchone()[0]
        account_rows = accounts[["organisation_id", "platform", "name"]].assign(import_id=import_id)
        cur.register("demo_accounts", account_rows)
        ids = cur.execute(
            "INSERT INTO accounts (organisation_id, platform, name, is_demo, import_id) "
            "SELECT organisation_id, platform, name, true, import_id FROM demo_accounts RETURNING account_id"
        ).fetchall()
        cur.unregister("demo_accounts")
        key_to_id = np.array([r[0] for r in ids])
        values = values.assign(account_id=key_to_id[values["account_key"].to_numpy()], import_id=import_id)
        cur.register("demo_values", values)
        cur.execute(
            "INSERT INTO period_values (account_id, measure, period_start, period_end, value, import_id) "
            "SELECT account_id, measure, period_start::DATE, period_end::DATE, value, import_id "
            "FROM demo_values"
        )
        cur.unregister("demo_values")
        check_unique(cur, "period_values", "SELECT * FROM period_values WHERE import_id = ?", [import_id])
        posts = posts.assign(account_id=key_to_id[posts["account_key"].to_numpy()] if len(posts) else [], import_id=import_id)
        cur.register("demo_posts", posts)
        cur.execute(
            "INSERT INTO posts (account_id, post_id, published_at, post_type, title, reactions, comments, shares, import_id) "
            "SELECT account_id, post_id, published_at, post_type, title, reactions, comments, shares, import_id FROM demo_posts"
        )
        cur.unregister("demo_posts")
        total = len(accounts) + len(values) + len(posts)
        cur.execute("UPDATE imports SET row_count = ? WHERE import_id = ?", [total, import_id])
        summaries.refresh(cur, key_to_id.tolist())
    return {"accounts": len(accounts), "values": len(values), "posts": len(posts)}


# Deleting rows one by one through DuckDB's primary-key index is slow at scale: `demo --remove` took
# ≈ 15 minutes on the national set (18 million values). A table that is mostly demo rows is rebuilt
# from the rows it keeps instead (0.3 s there); a table that is mostly real rows keeps the DELETE.
REBUILD_SHARE = 0.5


def remove_demo(store: Store, *, actor: Actor) -> int:
    """Delete every demo row and account; the demo imports stay in the log, marked undone."""
    with store.writer(authorise(actor, "demo_data")) as cur:
        demo_imports = "SELECT import_id FROM imports WHERE is_demo AND status = 'committed'"
        demo_accounts = f"SELECT account_id FROM accounts WHERE is_demo AND import_id IN ({demo_imports})"
        removed = 0
        for table in ("posts", "account_daily", "period_values"):
            removed += _remove_rows(cur, table, f"import_id IN ({demo_imports})")
        # The summaries of the demo accounts go with them (what summaries.refresh does for accounts
        # that no longer exist), before the accounts themselves.
        _remove_rows(cur, summaries.TABLE, f"account_id IN ({demo_accounts})")
        removed += cur.execute(f"DELETE FROM accounts WHERE is_demo AND import_id IN ({demo_imports})").fetchone()[0]
        cur.execute(
            "UPDATE imports SET status = 'undone', note = coalesce(note, '') || ' (removed by demo --remove)' "
            "WHERE is_demo AND status = 'committed'"
        )
    return removed


def _remove_rows(cur, table_name: str, demo_rows: str) -> int:
    """Remove the rows of `table_name` matching `demo_rows` (fixed SQL, no user input); the count removed."""
    total = cur.execute(f"SELECT count(*) FROM {table_name}").fetchone()[0]
    doomed = cur.execute(f"SELECT count(*) FROM {table_name} WHERE {demo_rows}").fetchone()[0]
    if not doomed:
        return 0
    if doomed < total * REBUILD_SHARE:
        return cur.execute(f"DELETE FROM {table_name} WHERE {demo_rows}").fetchone()[0]
    kept = rebuild_table(cur, table_name, keep=f"NOT ({demo_rows})")
    if kept != total - doomed:  # the transaction is rolled back: nothing is lost (see summaries.refresh)
        raise BenchmarkError("demo.kept_mismatch", table=table_name, kept=kept, expected=total - doomed)
    return doomed
