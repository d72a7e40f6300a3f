"""CSV for machines, XLSX for people, and neither lets a hostile name become a formula.

Figures: tests/reports/conftest.py.
"""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from benchmark.reports import build_report, render
from benchmark.reports.build import WATCH_CSV
from benchmark.reports.tables import FORMULA_STARTS, neutralise, sheet_name
from benchmark.viewstate import ViewState
from tests.reports.conftest import HOSTILE

WATCH = ViewState(page="watch", org="SE:18", platform="facebook", period="2024-Q3")
HOSTILE_WATCH = ViewState(page="watch", org="SE:18", watch=tuple(f"SE:H{i}" for i in range(1, 7)),
                          platform="facebook", period="2024-Q3")
RANKING = ViewState(page="ranking", org="SE:18", group="region:SE", platform="facebook", period="2024-Q3",
                    metric="engagement_rate_by_follower")


def read_csv(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def test_csv_has_ids_as_headers_and_plain_numbers(real_store):
    header, rows = read_csv(render(build_report(real_store, WATCH, "sv"), "csv"))
    assert header == WATCH_CSV
    own = rows[0]
    assert own["organisation"] == "Region Örebro län" and own["is_own"] == "True" and own["is_demo"] == "False"
    # Dot decimals, no grouping, whatever the language; ratios to the metric's decimals + 2.
    assert own["followers"] == "17000"
    assert own["followers_change_pct"] == "3.03"
    assert own["posts"] == "40" and own["engagements"] == "2000"
    assert own["engagements_per_post"] == "50.0"
    assert own["engagement_rate_by_follower"] == "0.2941"
    assert own["followers_change"] == "500"
    # The same bytes in every language: a CSV has no words of its own.
    assert render(build_report(real_store, WATCH, "en"), "csv") == render(build_report(real_store, WATCH, "sv"), "csv")


def test_csv_neutralises_hostile_names(real_store):
    _, rows = read_csv(render(build_report(real_store, HOSTILE_WATCH, "en"), "csv"))
    names = [r["organisation"] for r in rows[1:]]
    assert sorted(names) == sorted("'" + h for h in HOSTILE)
    assert len(rows) == 7  # a carriage return inside a name does not split its row
    for row in rows:
        for column in ("organisation", "code", "kind", "status", "period"):
            assert not row[column].startswith(FORMULA_STARTS), row[column]
    # Numbers are not text: a negative change stays a number.
    _, ranked = read_csv(render(build_report(real_store, ViewState(
        page="ranking", group="region:SE", platform="facebook", period="2024-Q3", metric="posts"), "en",
        default_own=False), "csv"))
    assert ranked[-1]["difference_from_median"] == "-20.0"


def test_neutralise_rule():
    for text in HOSTILE:
        assert neutralise(text) == "'" + text
    assert neutralise("Region Skåne") == "Region Skåne"
    assert neutralise("") == ""


def load(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def test_xlsx_is_for_people(real_store):
    report = build_report(real_store, WATCH, "en")
    book = load(render(report, "xlsx"))
    assert book.sheetnames == ["Pages to watch"]
    sheet = book.active
    assert sheet["A1"].value == "Pages to watch: Region Örebro län" and sheet["A1"].font.bold
    assert sheet["A2"].value == report.subtitle
    headers = [c.value for c in sheet[4]]
    assert headers == ["Page", "Followers", "Follower change %", "Posts", "Engagements", "Engagements per post",
                       "Engagement rate by follower (%)", "Data"]
    assert all(c.font.bold for c in sheet[4])
    assert sheet.freeze_panes == "A5"
    assert sheet.auto_filter.ref == "A4:H7"
    own = sheet[5]
    assert own[0].value == "★ Region Örebro län (you)" and own[0].font.bold
    assert own[1].value == 17_000 and own[1].data_type == "n" and own[1].number_format == "#,##0"
    assert own[2].value == pytest.approx(100 * 500 / 16_500) and own[2].number_format == '0.0 "%"'
    assert own[5].value == pytest.approx(50.0) and own[5].number_format == "#,##0.0"
    assert own[6].value == pytest.approx(100 * 2_000 / 40 / 17_000) and own[6].number_format == '0.00 "%"'
    assert not sheet["A6"].font.bold
    assert [sheet.cell(r, 2).value for r in (6, 7)] == [80_000, 9_500]
    assert sheet["A9"].value == report.source_text()
    assert sheet["A10"].value is None  # real data: no synthetic label
    assert 20 <= sheet.column_dimensions["A"].width <= 50


def test_xlsx_headers_in_swedish_and_ranking_formats(real_store):
    book = load(render(build_report(real_store, RANKING, "sv"), "xlsx"))
    sheet = book.active
    headers = [c.value for c in sheet[4]]
    assert headers[0] == "Placering" and headers[1] == "Sida"
    assert headers[3] == "Percentil"
    assert headers[5].startswith("Skillnad mot medianen")
    formats = [c.number_format for c in sheet[5]]
    assert formats[0] == "#,##0" and formats[2] == '0.00 "%"' and formats[3] == "#,##0"
    assert formats[5] == '+0.00 "%";-0.00 "%";0.00 "%"'


def test_xlsx_never_holds_a_formula(real_store):
    book = load(render(build_report(real_store, HOSTILE_WATCH, "en"), "xlsx"))
    sheet = book.active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    names = [sheet.cell(r, 1).value for r in range(6, 12)]
    # The apostrophe is kept as part of the text (as in CSV) and Excel's quote prefix is set.
    cleaned = {n.replace("\n", "\r") for n in names}  # XML may read a lone CR back as LF
    assert cleaned == {"'" + h for h in HOSTILE}
    for r in range(6, 12):
        cell = sheet.cell(r, 1)
        assert cell.data_type == "s" and cell.quotePrefix


def test_xlsx_bytes_do_not_depend_on_the_clock(real_store):
    report = build_report(real_store, RANKING, "en")
    assert render(report, "xlsx") == render(build_report(real_store, RANKING, "en"), "xlsx")


def test_xlsx_of_several_metrics_has_a_sheet_each_and_the_demo_label(demo_store):
    report = build_report(demo_store, RANKING, "en", ["posts", "followers"])
    book = load(render(report, "xlsx"))
    assert book.sheetnames == ["Posts", "Followers"]
    for sheet in book.worksheets:
        last = sheet.max_row
        assert sheet.cell(last, 1).value == "Synthetic demo data – not real measurements"
        assert "synthetic demo data" in sheet.cell(last - 1, 1).value
        assert sheet.cell(last, 1).font.bold


def test_sheet_names_follow_excel_rules():
    taken: set[str] = set()
    assert sheet_name("Followers per 1,000 inhabitants [SE]: a/b", taken) == "Followers per 1,000 inhabitants"
    assert sheet_name("Followers per 1,000 inhabitants", taken) == "Followers per 1,000 inhabit (2)"
    assert sheet_name("?*", taken) == "Sheet"


def test_download_file_names_are_plain_ascii():
    from benchmark.reports.formats import safe_file_name

    assert safe_file_name("Nätverksmöte december", "pptx") == "Natverksmote-december.pptx"
    assert safe_file_name("Ålesund/Æbeltoft: sidor", "csv") == "Alesund-beltoft-sidor.csv"
    assert safe_file_name("★ ✓", "xlsx") == "export.xlsx"
