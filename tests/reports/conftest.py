"""A small database of real (uploaded, not demo) figures whose every exported value is worked out
by hand, plus organisations with hostile names, for the export tests.

Facebook, quarterly figures (followers at the end of the quarter; the previous quarter's end gives
the change):

| organisation      | followers Q2 | followers Q3 | posts Q3 | engagements Q3 |
|-------------------|-------------:|-------------:|---------:|---------------:|
| Region Örebro län |       16 500 |       17 000 |       40 |          2 000 |
| Region Skåne      |       75 000 |       80 000 |      100 |          5 000 |
| Region Gotland    |       10 000 |        9 500 |       20 |            600 |
| six hostile names |        1 000 |        1 000 |        5 |             50 |

so Q3: Örebro +3.0 %, 50.0 per post, 2000 / 40 / 17000 × 100 = 0.29 %; Skåne +6.7 %, 50.0, 0.06 %;
Gotland −5.0 %, 30.0, 0.32 %. Ranked on posts among the three regions: Skåne 100 (#1, percentile
100), Örebro 40 (#2, 50), Gotland 20 (#3, 0); median 40. Followers at the end of Q3: median of
9 500, 17 000, 80 000 = 17 000, quartiles 13 250 and 48 500 (linear interpolation).
"""

from __future__ import annotations

import pytest

from benchmark import accounts
from benchmark.store import Store
from tests.actors import ADMIN, permit

HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\tX", "\rY"]
UPLOAD_FILE = "members-2024-q3.xlsx"

FIGURES = {
    "Region Örebro län": (16_500, 17_000, 40, (1_500, 200, 300)),
    "Region Skåne": (75_000, 80_000, 100, (4_000, 600, 400)),
    "Region Gotland": (10_000, 9_500, 20, (500, 60, 40)),
}


def _quarter_figures(put_values, organisation: str, before: int, after: int, posts: int,
                     engagements: tuple[int, int, int]) -> None:
    account = put_values.account(organisation)
    put_values.period(account, "2024-04-01", "2024-06-30", followers=before)
    reactions, comments, shares = engagements
    put_values.period(account, "2024-07-01", "2024-09-30", followers=after, posts=posts, reactions=reactions,
                      comments=comments, shares=shares)


@pytest.fixture()
def real_store(small_store: Store, put_values) -> Store:
    """The small registry with the figures above, all from one upload named UPLOAD_FILE."""
    for name, (before, after, posts, engagements) in FIGURES.items():
        _quarter_figures(put_values, name, before, after, posts, engagements)
    for number, name in enumerate(HOSTILE, start=1):
        organisation = accounts.add_organisation(small_store, f"Hostile {number}", "municipality", "SE",
                                                 code=f"H{number}", actor=ADMIN)
        # add_organisation trims names; an upload's page name need not be so kind.
        with small_store.writer(permit()) as cur:
            cur.execute("UPDATE organisations SET name = ? WHERE organisation_id = ?", [name, organisation.organisation_id])
        _quarter_figures(put_values, name, 1_000, 1_000, 5, (40, 5, 5))
    with small_store.writer(permit()) as cur:
        cur.execute("UPDATE imports SET source_kind = 'upload', file_name = ? WHERE import_id = ?",
                    [UPLOAD_FILE, put_values.import_id])
    return small_store


@pytest.fixture()
def upload_id(real_store: Store, put_values) -> int:
    return put_values.import_id
