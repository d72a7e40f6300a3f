"""The message catalogue is complete in every language, and numbers look Nordic where they should."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from benchmark import i18n
from benchmark.errors import NotFoundError
from benchmark.metrics import MEASURES, METRICS

ROOT = Path(__file__).resolve().parents[2]
NBSP = "\u00a0"


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != "en"])
def test_every_language_has_every_key_and_no_other(lang):
    english = set(i18n.catalogue("en"))
    translated = set(i18n.catalogue(lang))
    assert sorted(english - translated) == [], f"missing in {lang}"
    assert sorted(translated - english) == [], f"in {lang} but not in English"


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != "en"])
def test_translations_keep_the_placeholders(lang):
    english = i18n.catalogue("en")
    translated = i18n.catalogue(lang)
    wrong = {key: (sorted(i18n.placeholders(english[key])), sorted(i18n.placeholders(value)))
             for key, value in translated.items()
             if key in english and i18n.placeholders(english[key]) != i18n.placeholders(value)}
    assert wrong == {}


def test_every_metric_and_measure_is_translated():
    for lang in i18n.LANGUAGES:
        messages = i18n.catalogue(lang)
        for metric in METRICS:
            for field in ("label", "unit", "formula", "explanation"):
                assert f"metric.{metric.id}.{field}" in messages, (lang, metric.id, field)
        for measure in MEASURES:
            assert f"measure.{measure.id}.label" in messages, (lang, measure.id)


def test_metric_labels_are_really_translated():
    # A copy of the English text would pass the key test; the labels at least must differ.
    for lang in ("sv", "da", "nb"):
        same = [m.id for m in METRICS
                if i18n.text(f"metric.{m.id}.label", lang) == m.label and m.id not in ("reach", "views")]
        assert same == [], lang


# Calls of the form text("key", …), t("key", …) or _("key") anywhere in the code.
KEY_CALL = re.compile(r"""\b(?:text|t)\(\s*["']([a-z_][a-z0-9_]*(?:\.[A-Za-z0-9_]+)+)["']""")


def test_every_key_the_code_asks_for_exists():
    used: dict[str, str] = {}
    for path in [*ROOT.glob("benchmark/**/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"]:
        for key in KEY_CALL.findall(path.read_text(encoding="utf-8")):
            used.setdefault(key, str(path.relative_to(ROOT)))
    english = i18n.catalogue("en")
    assert {k: where for k, where in used.items() if k not in english} == {}


def test_a_missing_key_falls_back_to_english_and_an_unknown_one_raises():
    assert i18n.text("column.rank", "sv") == "Placering"
    with pytest.raises(KeyError):
        i18n.text("no.such.key", "sv")


def test_placeholders_are_filled():
    assert i18n.text("date.day_month_year", "da", day=5, month="jan.", year=2026) == "5. jan. 2026"


@pytest.mark.parametrize(("lang", "number", "percent", "small"), [
    ("sv", f"17{NBSP}000", f"7,5{NBSP}%", "0,25"),
    ("da", "17.000", f"7,5{NBSP}%", "0,25"),
    ("nb", f"17{NBSP}000", f"7,5{NBSP}%", "0,25"),
    ("en", "17,000", "7.5%", "0.25"),
])
def test_numbers_and_percentages_per_language(lang, number, percent, small):
    assert i18n.format_number(17000, lang) == number
    assert i18n.format_percent(7.5, lang) == percent
    assert i18n.format_number(0.25, lang, 2) == small


def test_large_negative_signed_and_missing_numbers():
    assert i18n.format_number(-1234567.891, "sv", 1) == f"-1{NBSP}234{NBSP}567,9"
    assert i18n.format_number(-1234567.891, "da", 2) == "-1.234.567,89"
    assert i18n.format_number(1234567, "en", signed=True) == "+1,234,567"
    assert i18n.format_percent(-0.04, "sv", 1, signed=True) == f"0,0{NBSP}%"  # no "-0,0"
    assert i18n.format_number(None, "sv") == "–"
    assert i18n.format_number(float("nan"), "da", missing="") == ""
    import pandas as pd

    assert i18n.format_percent(pd.NA, "nb") == "–"


def test_metric_values_take_the_metric_s_decimals_and_unit():
    assert i18n.format_metric("engagement_rate_by_follower", 1.23456, "sv") == f"1,23{NBSP}%"
    assert i18n.format_metric("followers", 10250.4, "da") == "10.250"
    assert i18n.format_metric("posts_per_month", 12.345, "en") == "12.3"


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "23 Nov 2026"), ("sv", "23 nov. 2026"), ("da", "23. nov. 2026"), ("nb", "23. nov. 2026"),
])
def test_dates_per_language(lang, expected):
    assert i18n.format_date(date(2026, 11, 23), lang) == expected


@pytest.mark.parametrize(("locale", "lang"), [
    ("sv-SE", "sv"), ("sv", "sv"), ("da-DK", "da"), ("nb-NO", "nb"), ("nn-NO", "nb"), ("no", "nb"),
    ("en-GB", "en"), ("EN_us", "en"), ("fi-FI", None), ("de", None), ("", None), (None, None),
])
def test_browser_locale_to_language(locale, lang):
    assert i18n.language_from_locale(locale) == lang


def test_an_unknown_language_is_a_named_error():
    with pytest.raises(NotFoundError, match="unknown language 'fr'"):
        i18n.check_language("fr")


def test_the_chart_number_locale_matches_the_tables():
    assert i18n.vega_locale("da")["number"]["thousands"] == "."
    assert i18n.vega_locale("sv")["number"]["decimal"] == ","
    assert i18n.vega_locale("en")["number"]["thousands"] == ","


def test_a_key_defined_twice_is_refused(tmp_path, monkeypatch):
    folder = tmp_path / "sv"
    folder.mkdir()
    (folder / "a.toml").write_text('[x]\ny = "1"\n', encoding="utf-8")
    (folder / "b.toml").write_text('x.y = "2"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    i18n.catalogue.cache_clear()
    try:
        with pytest.raises(ValueError, match="'x.y' is defined twice"):
            i18n.catalogue("sv")
    finally:
        monkeypatch.undo()
        i18n.catalogue.cache_clear()
