"""Checks of the generated registry files in data/registry/ (no project imports).

The files are built by scripts/build_registry.py from ../shared/registry/; see
docs/registry.md. These tests read the committed files only, except the last
one, which rebuilds them into a temporary folder and compares byte for byte.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from tests.conftest import SHARED as SHARED_FOLDER

REPO_ROOT = Path(__file__).resolve().parents[2]
REGISTRY = REPO_ROOT / "data" / "registry"
SHARED = SHARED_FOLDER / "registry"
BUILD_SCRIPT = REPO_ROOT / "scripts" / "build_registry.py"

COLUMNS = [
    "country", "kind", "code", "name", "parent_code", "parent_name",
    "population", "population_date", "also_kinds", "aliases",
]
EXPECTED_ROWS = {
    "se_regions.csv": 21,
    "se_municipalities.csv": 289,
    "se_agencies.csv": 250,
    "dk_regions.csv": 5,
    "dk_municipalities.csv": 98,
    "no_counties.csv": 14,
    "no_municipalities.csv": 357,
    "fi_wellbeing_counties.csv": 21,
    "fi_municipalities.csv": 308,
}
POPULATION_DATE = {"SE": "2025-12-31", "DK": "2021-01-01", "NO": "2024-01-01", "FI": "2022-12-31"}
DATA_FILES = sorted(EXPECTED_ROWS)


def read(file_name: str) -> list[dict[str, str]]:
    with (REGISTRY / file_name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def population(file_name: str) -> int:
    return sum(int(r["population"]) for r in read(file_name))


def aliases(row: dict[str, str]) -> list[str]:
    return [a for a in row["aliases"].split("|") if a]


def fold(text: str) -> str:
    """Case- and accent-insensitive key, as the loader matches names."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


# --- format -----------------------------------------------------------------

def test_the_folder_holds_exactly_the_nine_data_files_and_provenance():
    assert sorted(p.name for p in REGISTRY.glob("*.csv")) == sorted([*DATA_FILES, "provenance.csv"])


@pytest.mark.parametrize("file_name", [*DATA_FILES, "provenance.csv"])
def test_files_are_utf8_without_bom_with_lf_line_endings(file_name):
    raw = (REGISTRY / file_name).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in raw
    assert raw.endswith(b"\n")
    raw.decode("utf-8")


@pytest.mark.parametrize("file_name", DATA_FILES)
def test_header_is_the_registry_columns_in_order(file_name):
    with (REGISTRY / file_name).open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == COLUMNS


@pytest.mark.parametrize("file_name, expected", sorted(EXPECTED_ROWS.items()))
def test_row_counts(file_name, expected):
    assert len(read(file_name)) == expected


@pytest.mark.parametrize("file_name", DATA_FILES)
def test_codes_are_unique_and_sorted(file_name):
    codes = [r["code"] for r in read(file_name)]
    assert len(set(codes)) == len(codes)
    if file_name == "fi_wellbeing_counties.csv":  # codes 1..21 are not zero-padded
        assert codes == sorted(codes, key=int)
    else:
        assert codes == sorted(codes)


def test_codes_are_unique_per_country_across_files():
    seen: dict[tuple[str, str], str] = {}
    for file_name in DATA_FILES:
        for r in read(file_name):
            key = (r["country"], r["code"])
            assert key not in seen, f"{key} in {file_name} and {seen[key]}"
            seen[key] = file_name


@pytest.mark.parametrize("file_name", DATA_FILES)
def test_no_empty_names_and_no_stray_whitespace(file_name):
    for r in read(file_name):
        assert r["name"].strip(), r
        for value in r.values():
            assert value == value.strip() and "  " not in value, r


@pytest.mark.parametrize("file_name", DATA_FILES)
def test_country_and_kind_match_the_file(file_name):
    country = file_name[:2].upper()
    kind = {"regions": "region", "counties": "region", "municipalities": "municipality", "agencies": "agency"}[
        file_name.removesuffix(".csv").split("_")[-1]
    ]
    rows = read(file_name)
    assert {r["country"] for r in rows} == {country}
    assert {r["kind"] for r in rows} == {kind}


@pytest.mark.parametrize("file_name", DATA_FILES)
def test_populations_and_dates(file_name):
    for r in read(file_name):
        if r["kind"] == "agency":
            assert r["population"] == r["population_date"] == r["parent_code"] == r["parent_name"] == "", r
        else:
            assert r["population"].isdigit() and int(r["population"]) > 0, r
            assert r["population_date"] == POPULATION_DATE[r["country"]], r
            assert r["parent_code"] and r["parent_name"], r


@pytest.mark.parametrize("file_name", DATA_FILES)
def test_alias_lists_have_no_duplicates_and_do_not_repeat_the_name(file_name):
    for r in read(file_name):
        keys = [a.casefold() for a in aliases(r)]
        assert len(keys) == len(set(keys)), r
        assert r["name"].casefold() not in keys, r
        # stronger: the loader ignores case and diacritics, so these would be redundant too
        folded = [fold(a) for a in aliases(r)]
        assert len(folded) == len(set(folded)) and fold(r["name"]) not in folded, r


# --- population sums ------------------------------------------------------------

def test_swedish_population_sums():
    (gotland,) = [r for r in read("se_regions.csv") if r["code"] == "0980"]
    assert population("se_municipalities.csv") + int(gotland["population"]) == 10_605_520
    assert population("se_regions.csv") == 10_605_520


def test_danish_population_sums():
    assert population("dk_municipalities.csv") == 5_840_045 - 90  # without Christiansø
    assert population("dk_regions.csv") == 5_840_045  # DST counts Christiansø in Hovedstaden


def test_norwegian_population_sums():
    assert population("no_municipalities.csv") == 5_550_203
    (oslo,) = [r for r in read("no_municipalities.csv") if r["code"] == "0301"]
    assert population("no_counties.csv") + int(oslo["population"]) == 5_550_203


def test_finnish_population_sums():
    assert population("fi_municipalities.csv") == 5_562_370
    outside = sum(int(r["population"]) for r in read("fi_municipalities.csv") if r["parent_code"] in {"90", "91"})
    assert population("fi_wellbeing_counties.csv") + outside == 5_562_370


@pytest.mark.parametrize(
    "municipalities, regions",
    [("se_municipalities.csv", "se_regions.csv"), ("dk_municipalities.csv", "dk_regions.csv"),
     ("no_municipalities.csv", "no_counties.csv"), ("fi_municipalities.csv", "fi_wellbeing_counties.csv")],
)
def test_municipality_parents_are_known_regions(municipalities, regions):
    known = {(r["parent_code"], r["parent_name"]) for r in read(regions)}
    known |= {("03", "Oslo"), ("90", "Helsingin kaupunki"), ("91", "Ahvenanmaa")}
    for r in read(municipalities):
        assert (r["parent_code"], r["parent_name"]) in known, r


# --- special cases ----------------------------------------------------------------

def test_christianso_is_absent():
    codes = {r["code"] for r in read("dk_municipalities.csv")}
    names = {r["name"] for r in read("dk_municipalities.csv")}
    assert "0411" not in codes and "Christiansø" not in names


def test_region_gotland_is_one_row_in_the_regions_file():
    (gotland,) = [r for r in read("se_regions.csv") if r["name"] == "Region Gotland"]
    assert (gotland["code"], gotland["parent_code"], gotland["parent_name"]) == ("0980", "09", "Gotlands län")
    assert gotland["also_kinds"] == "municipality"
    assert aliases(gotland) == ["Gotlands kommun", "Gotland"]
    assert "0980" not in {r["code"] for r in read("se_municipalities.csv")}


def test_oslo_is_one_body_listed_as_municipality_and_region():
    (oslo,) = [r for r in read("no_municipalities.csv") if r["code"] == "0301"]
    assert oslo["also_kinds"] == "region"
    assert "03" not in {r["code"] for r in read("no_counties.csv")}
    assert all(r["also_kinds"] == "" for r in read("no_municipalities.csv") if r["code"] != "0301")


def test_norwegian_names_follow_ssb():
    names = {r["code"]: r["name"] for r in read("no_municipalities.csv")}
    assert names["5610"] == "Kárášjohka - Karasjok"
    assert names["1515"] == "Herøy (Møre og Romsdal)" and names["1818"] == "Herøy (Nordland)"
    assert names["3114"] == "Våler (Østfold)" and names["3419"] == "Våler (Innlandet)"
    assert len(set(names.values())) == len(names)
    counties = {r["code"]: r["name"] for r in read("no_counties.csv")}
    assert counties["11"] == "Rogaland fylkeskommune"


def test_finnish_wellbeing_counties_exclude_helsinki_and_aland():
    codes = {r["code"] for r in read("fi_wellbeing_counties.csv")}
    assert codes == {str(n) for n in range(1, 22)}
    (helsinki,) = [r for r in read("fi_municipalities.csv") if r["code"] == "091"]
    assert (helsinki["parent_code"], helsinki["parent_name"]) == ("90", "Helsingin kaupunki")


def test_swedish_agencies_are_properly_named():
    rows = {r["code"]: r for r in read("se_agencies.csv")}
    assert rows["202100-4573"]["name"] == "Sametinget"
    assert rows["202100-2247"]["name"] == "Länsstyrelsen i Stockholms län"
    assert rows["202100-5026"]["name"] == "Statskontoret"  # ESV took Statskontoret's name on 2026-01-01
    assert "Polisen" in aliases(rows["202100-0076"])
    # no UPPER CASE official names left
    assert not [r["name"] for r in rows.values() if r["name"].isupper() and len(r["name"]) > 6]


def test_sample_names():
    def names(file_name):
        return {r["code"]: r["name"] for r in read(file_name)}

    assert names("se_municipalities.csv")["1880"] == "Örebro"
    assert names("se_regions.csv")["18"] == "Region Örebro län"
    assert names("se_regions.csv")["14"] == "Västra Götalandsregionen"
    assert names("dk_municipalities.csv")["0101"] == "København"
    assert names("dk_regions.csv")["1084"] == "Region Hovedstaden"
    assert names("no_municipalities.csv")["0301"] == "Oslo"
    assert names("fi_municipalities.csv")["091"] == "Helsinki"
    assert names("fi_wellbeing_counties.csv")["8"] == "Pirkanmaan hyvinvointialue"


def test_provenance_has_one_row_per_data_file_with_matching_counts():
    with (REGISTRY / "provenance.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == [
            "file", "source", "source_detail", "statistics", "population_reference_date", "licence", "rows", "notes",
        ]
        rows = {r["file"]: r for r in reader}
    assert sorted(rows) == DATA_FILES
    for file_name, r in rows.items():
        assert int(r["rows"]) == len(read(file_name))
        assert r["source_detail"] and r["licence"] and r["notes"], r
    assert "2021Q1" in rows["dk_municipalities.csv"]["notes"]


# --- reproducibility ----------------------------------------------------------------

@pytest.mark.shared
def test_rebuilding_reproduces_the_committed_files(tmp_path):
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} does not exist: cannot rebuild the registry from its sources")
    result = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), "--shared", str(SHARED), "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    built = sorted(p.name for p in tmp_path.iterdir())
    assert built == sorted([*DATA_FILES, "provenance.csv"])
    for name in built:
        assert (tmp_path / name).read_bytes() == (REGISTRY / name).read_bytes(), f"{name} differs from a fresh build"
