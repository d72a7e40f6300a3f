"""Any mutation of a valid export is either read correctly or refused with a message, never an exception.

Seeds are small files written here in the layouts of the real exports (no
sample is copied); hypothesis mutates their bytes (deletions, insertions,
replacements, truncation, repeated lines, changed delimiters) and every result
must be a `ParsedFile` that keeps the data rules, or a `BenchmarkError`.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmark import imports
from benchmark.errors import BenchmarkError
from benchmark.importers import open_export
from benchmark.importers.model import ParseOptions
from benchmark.metrics import MEASURE_IDS, SIGNED_MEASURES
from tests.actors import ADMIN

SEEDS: dict[str, bytes] = {
    "template.csv": (
        "organisation,platform,period,followers,posts,reactions,net_followers\n"
        "Laxå,facebook,2025-Q1,1 200,30,300,-4\nÖrebro,instagram,2025-07,5400,12,,\n"
    ).encode(),
    "posts.csv": (
        "\ufeff\"Post ID\",\"Page ID\",\"Page name\",Title,\"Publish time\",\"Post type\",Date,Views,Reach,"
        "Reactions,Comments,Shares,\"Link Clicks\"\n"
        "111,999,\"Laxå kommun\",\"Hello\nworld\",\"01/05/2026 09:42\",Photos,Lifetime,100,80,5,1,0,2\n"
        "112,999,\"Laxå kommun\",Hej,\"01/07/2026 23:10\",Links,Lifetime,50,40,2,0,1,\n"
    ).encode("utf-8"),
    "Follows.csv": ("sep=,\n\"Facebook follows\"\n\"Date\",\"Primary\"\n\"2025-01-01T01:00:00\",\"3\"\n"
                    "\"2025-01-02T01:00:00\",\"0\"\n\"2025-01-03T01:00:00\",\"7\"\n").encode("utf-16"),
    "tiktok.csv": ("\ufeffDate,Video views,Reached audience,Profile views,Likes,Shares,Comments,Phone number clicks ,"
                   "Leads submission,Net growth,New followers,Lost followers\n"
                   "2025/10/31,715,NAN,25,26,4,7,0,0,10,10,0\n2025/11/01,75155,75134,539,845,244,58,0,0,98,100,2\n"
                   ).encode("utf-8"),
    "totals.csv": "Date;Views;Subscribers\r\n13-06-2025;1 224;-2\r\n14-06-2025;147;3\r\n".encode("cp1252"),
}


@st.composite
def mutated(draw) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(SEEDS)))
    data = bytearray(SEEDS[name])
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "insert", "replace", "truncate", "repeat_line", "delimiter"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "delete" and data:
            del data[at:at + draw(st.integers(1, 8))]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8) | st.sampled_from(
                [b",", b";", b"\t", b"\"", b"\n", b"\r\n", b"-", b"NAN", b"1,5", b"\xa0", b"\x00", b"31/02/2025"]))
        elif kind == "replace" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "truncate":
            del data[at:]
        elif kind == "repeat_line":
            lines = bytes(data).split(b"\n")
            line = draw(st.sampled_from(lines))
            lines.insert(draw(st.integers(0, len(lines))), line)
            data = bytearray(b"\n".join(lines))
        elif kind == "delimiter":
            data = bytearray(bytes(data).replace(b",", b";"))
    return name, bytes(data)


def _check_parsed(parsed) -> None:
    table = [] if parsed.value_table is None else list(parsed.value_table.itertuples(index=False))
    assert all(0 <= row.account < len(parsed.table_accounts) for row in table)
    for value in [*parsed.values, *table]:
        assert value.measure in MEASURE_IDS
        assert value.start <= value.end
        assert value.value >= 0 or value.measure in SIGNED_MEASURES
        assert date(1970, 1, 1) <= value.start <= date(2100, 12, 31)
    for post in parsed.posts:
        assert post.post_id
        for field in ("reactions", "comments", "shares", "reach", "views", "video_views", "link_clicks"):
            count = getattr(post, field)
            assert count is None or count >= 0


@settings(max_examples=1500, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_exports_parse_or_are_refused(case):
    name, content = case
    try:
        parsed = open_export(name, content, ParseOptions(period=(date(2025, 1, 1), date(2025, 12, 31))))
    except BenchmarkError as exc:
        assert str(exc).strip()
        return
    _check_parsed(parsed)


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seeds_themselves_are_valid(name):
    _check_parsed(open_export(name, SEEDS[name], ParseOptions()))


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(mutated())
def test_mutated_files_through_the_service_never_half_write(small_store, case):
    """Planned and committed like an upload: either written in full or refused, and the checks hold."""
    name, content = case
    options = imports.ImportOptions(platform="facebook" if name in ("Follows.csv",) else None,
                                    organisation="Laxå")
    before = small_store.scalar("SELECT count(*) FROM imports")
    try:
        plan = imports.plan_import(small_store, name, content, options)
        result = imports.commit_import(small_store, plan, actor=ADMIN)
    except BenchmarkError:
        assert small_store.scalar("SELECT count(*) FROM imports") == before
        return
    if result.import_id is not None:
        written = sum(small_store.scalar(f"SELECT count(*) FROM {t} WHERE import_id = ?", [result.import_id])
                      for t in ("period_values", "account_daily", "posts"))
        assert written == plan.row_count
        imports.undo_import(small_store, result.import_id, actor=ADMIN)
    assert small_store.integrity_problems() == {}
