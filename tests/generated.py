"""Generated figures for the property tests of the period summaries (tests/unit/test_summaries.py,
tests/unit/test_summaries_refresh.py)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

from hypothesis import strategies as st

Spans = Callable[[str, random.Random], list[tuple[date, date]]]


@st.composite
def measure_series(draw, measure: str, grains: tuple[str, ...], spans: Spans) -> list[tuple[date, date, int]]:
    """One measure of one account: one or two of `grains` (their periods from `spans(grain, rng)`),
    some rows dropped, awkward values: follower drops, zero posts, net changes below zero. The
    choices are drawn; the rows come from a drawn seed, which keeps each example small."""
    chosen = draw(st.lists(st.sampled_from(grains), min_size=1, max_size=2, unique=True))
    drop = draw(st.sampled_from([0.0, 0.0, 0.05, 0.3]))
    rng = random.Random(draw(st.integers(0, 2**32)))
    rows = []
    for grain in chosen:
        level = rng.randint(0, 5000)
        for start, end in spans(grain, rng):
            if measure == "followers":
                level = max(0, level + rng.randint(-40, 60))  # drops happen
                value = level
            elif measure == "net_followers":
                value = rng.randint(-30, 30)
            else:
                value = rng.choice([0, 0, 1, 3, 17, 250])  # zero posts are common
            if rng.random() >= drop:
                rows.append((start, end, value))
    return rows
