"""The registry loader on the real files in data/registry, and name matching."""

import pytest

from benchmark.errors import AmbiguousNameError, BenchmarkError, NotFoundError
from benchmark.registry import find_by_name, load_registry, name_key, read_registry_file, resolve_organisation
from tests.actors import ADMIN

EXPECTED_MEMBERS = {
    # (country, kind): organisations that count as that kind in peer groups
    ("SE", "region"): 21,
    ("SE", "municipality"): 290,   # 289 + Region Gotland, which is also the municipality 0980
    ("SE", "agency"): 250,
    ("DK", "region"): 5,
    ("DK", "municipality"): 98,    # Christiansø is not a municipality
    ("NO", "region"): 15,          # 14 fylkeskommuner + Oslo kommune, which is also a county
    ("NO", "municipality"): 357,
    ("FI", "region"): 21,
    ("FI", "municipality"): 308,
}


@pytest.fixture(scope="module")
def registry_store(tmp_path_factory):
    from benchmark.store import Store

    store = Store(tmp_path_factory.mktemp("reg") / "reg.duckdb")
    store.create_schema()
    load_registry(store, actor=ADMIN)
    yield store
    store.close()


def test_counts_per_country_and_kind(registry_store):
    rows = registry_store.rows(
        "SELECT o.country, k.kind, count(*) FROM organisation_kinds k JOIN organisations o USING (organisation_id) GROUP BY ALL"
    )
    assert {(c, k): n for c, k, n in rows} == EXPECTED_MEMBERS
    assert registry_store.scalar("SELECT count(*) FROM organisations") == 1363


def test_population_and_reference_dates_per_country(registry_store):
    rows = dict(((c, str(d)), p) for c, d, p in registry_store.rows(
        "SELECT country, population_date, sum(population) FROM organisations o "
        "JOIN organisation_kinds k USING (organisation_id) WHERE k.kind = 'municipality' GROUP BY ALL"))
    assert rows == {
        ("SE", "2025-12-31"): 10_605_520,
        ("DK", "2021-01-01"): 5_839_955,
        ("NO", "2024-01-01"): 5_550_203,
        ("FI", "2022-12-31"): 5_562_370,
    }
    assert registry_store.scalar("SELECT count(*) FROM organisations WHERE kind = 'agency' AND population IS NOT NULL") == 0
    assert not find_by_name(registry_store, "Christiansø")


@pytest.mark.parametrize("written", ["Region Örebro län", "Region Orebro lan", "REGION ÖREBRO LÄN",
                                     "Örebro läns landsting", "  region  örebro   län "])
def test_aliases_match_case_and_diacritic_insensitively(registry_store, written):
    assert resolve_organisation(registry_store, written).name == "Region Örebro län"


def test_letters_without_decomposition_are_folded():
    assert name_key("Bærum") == name_key("Baerum")
    assert name_key("Tromsø") == name_key("Tromso")
    assert name_key("Malmö") == name_key("Malmö")  # NFD input (o + combining diaeresis)


def test_code_reference_and_ambiguity(registry_store):
    assert resolve_organisation(registry_store, "SE:1880").name == "Örebro"
    with pytest.raises(AmbiguousNameError) as caught:
        resolve_organisation(registry_store, "Lund")
    assert "SE:1281" in str(caught.value) and "NO:1112" in str(caught.value)


def test_unknown_name_gets_close_suggestions(registry_store):
    with pytest.raises(NotFoundError) as caught:
        resolve_organisation(registry_store, "Region Örebo län")
    assert caught.value.suggestions[0] == "Region Örebro län"


def test_reload_keeps_ids_and_updates_values(registry_store, tmp_path):
    before = resolve_organisation(registry_store, "Region Skåne")
    load_registry(registry_store, actor=ADMIN)
    after = resolve_organisation(registry_store, "Region Skåne")
    assert before.organisation_id == after.organisation_id
    assert registry_store.scalar("SELECT count(*) FROM organisations") == 1363


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("SE,county,01,X,,,,,,", "column kind"),
        ("XX,region,01,X,,,,,,", "column country"),
        ("SE,region,01,X,,,-5,,,", "column population"),
        ("SE,region,01,X,,,5,31/12/2025,,", "column population_date"),
        ("SE,region,,X,,,,,,", "column code"),
    ],
)
def test_bad_registry_rows_are_reported_with_row_and_column(tmp_path, line, message):
    path = tmp_path / "bad.csv"
    path.write_text("country,kind,code,name,parent_code,parent_name,population,population_date,also_kinds,aliases\n"
                    f"{line}\n", encoding="utf-8")
    with pytest.raises(BenchmarkError) as caught:
        read_registry_file(path)
    assert "bad.csv row 2" in str(caught.value) and message in str(caught.value)
