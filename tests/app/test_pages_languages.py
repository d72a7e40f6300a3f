"""The pages in Swedish, Danish and Norwegian bokmål: texts, and numbers written the Nordic way.

A table's numbers stay numbers (`at.dataframe[i].value`, what sorting uses); what the user reads
is the display text Streamlit takes from the pandas Styler (`proto.arrow_data.styler.display_values`).
Every expected text here is written out by hand, not read back from the catalogue.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from tests.app.sessions import signed_in
from tests.known import OWN

REPO = Path(__file__).resolve().parents[2]
NBSP = "\u00a0"
UPLOAD = ("q1.csv", "organisation,platform,period,posts,reactions\nRegion Örebro län,facebook,2026-Q1,7,70\n".encode())


def new_app() -> AppTest:
    """An analyst's session, so the upload page is in the menu."""
    return signed_in(AppTest.from_file(str(REPO / "app.py"), default_timeout=60), "anna")


def displayed(at: AppTest, index: int = 0) -> pd.DataFrame:
    """The table as the user reads it: the display text of every cell."""
    return dataframe_util.convert_arrow_bytes_to_pandas_df(at.dataframe[index].proto.arrow_data.styler.display_values)


def headers(at: AppTest, index: int = 0) -> dict[str, str]:
    import json

    return {column: config.get("label") for column, config in json.loads(at.dataframe[index].proto.columns).items()}


def assert_ok(at: AppTest, title: str) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert [t.value for t in at.title] == [title]


# What each language calls things, and how it writes 1234567.5 and 7.5 per cent.
EXPECTED = {
    "sv": {
        "watch": "Sidor att bevaka", "ranking": "Rangordning", "profile": "Organisationsprofil", "upload": "Ladda upp",
        "followers": "Följare", "pages_with_figures": "21 sidor, 21 med siffror",
        "demo": "Demodata: syntetiska siffror, inte verkliga mätningar",
        "ranking_subheader": "Regioner i Sverige: Engagemangsgrad per följare, Facebook, 2025-Q4",
        "largest_page": "**Största sida:**", "followers_word": "följare",
        "profile_subheader": f"{OWN}: Följare på Facebook, mot Regioner i Sverige",
        "peer_median": "Median för jämförelsegruppen",
        "history": "Importhistorik", "changes": "2 nya · 0 samma som lagrat · **0 skulle ändras**",
        "big": f"1{NBSP}234{NBSP}567,5", "percent": f"7,5{NBSP}%",
    },
    "da": {
        "watch": "Sider at holde øje med", "ranking": "Rangering", "profile": "Organisationsprofil", "upload": "Upload",
        "followers": "Følgere", "pages_with_figures": "21 sider, 21 med tal",
        "demo": "Demodata: syntetiske tal, ikke rigtige målinger",
        "ranking_subheader": "Regioner i Sverige: Engagementsrate pr. følger, Facebook, 2025-Q4",
        "largest_page": "**Største side:**", "followers_word": "følgere",
        "profile_subheader": f"{OWN}: Følgere på Facebook, mod Regioner i Sverige",
        "peer_median": "Sammenligningsgruppens median",
        "history": "Importhistorik", "changes": "2 nye · 0 som gemt · **0 ville blive ændret**",
        "big": "1.234.567,5", "percent": f"7,5{NBSP}%",
    },
    "nb": {
        "watch": "Sider å følge med på", "ranking": "Rangering", "profile": "Organisasjonsprofil", "upload": "Last opp",
        "followers": "Følgere", "pages_with_figures": "21 sider, 21 med tall",
        "demo": "Demodata: syntetiske tall, ikke virkelige målinger",
        "ranking_subheader": "Regioner i Sverige: Engasjementsrate per følger, Facebook, 2025-Q4",
        "largest_page": "**Største side:**", "followers_word": "følgere",
        "profile_subheader": f"{OWN}: Følgere på Facebook, mot Regioner i Sverige",
        "peer_median": "Sammenligningsgruppens median",
        "history": "Importhistorikk", "changes": "2 nye · 0 som lagret · **0 ville blitt endret**",
        "big": f"1{NBSP}234{NBSP}567,5", "percent": f"7,5{NBSP}%",
    },
}


def written(value: float, lang: str, decimals: int = 0, percent: bool = False) -> str:
    """A number as the language writes it, built from the two examples above (1234567.5 and 7.5 %)."""
    big = EXPECTED[lang]["big"]
    group, decimal = big[1], big[-2]
    if round(value, decimals) == 0:
        value = 0.0  # a change that rounds to nothing is 0,0, never -0,0
    text = f"{value:,.{decimals}f}".replace(",", "\0").replace(".", decimal).replace("\0", group)
    return text + EXPECTED[lang]["percent"][3:] if percent else text


def test_the_expected_numbers_agree_with_the_examples():
    # The helper above must itself write the two examples the way they are written out by hand.
    for lang, expected in EXPECTED.items():
        assert written(1234567.5, lang, 1) == expected["big"]
        assert written(7.5, lang, 1, percent=True) == expected["percent"]


def check_watch(at: AppTest, lang: str) -> None:
    words = EXPECTED[lang]
    assert_ok(at, words["watch"])
    assert any(words["demo"] in w.value for w in at.warning)
    assert headers(at)["followers"] == words["followers"]
    assert any(words["pages_with_figures"] in c.value for c in at.caption)
    numbers, shown = at.dataframe[0].value, displayed(at)
    assert shown["organisation"].iloc[0].startswith(f"★ {OWN} (")  # "(du)", "(dig)", "(deg)"
    for row in range(len(numbers)):
        assert shown["followers"].iloc[row] == written(numbers["followers"].iloc[row], lang)
        assert shown["followers_change_pct"].iloc[row] == written(numbers["followers_change_pct"].iloc[row], lang, 1, percent=True)
        assert shown["engagement_rate_by_follower"].iloc[row] == written(
            numbers["engagement_rate_by_follower"].iloc[row], lang, 2, percent=True)
    # The largest regions have five-digit follower counts: the group separator shows.
    largest = shown["followers"].iloc[numbers["followers"].idxmax()]
    assert re.fullmatch(r"\d{2}" + re.escape(written(1000, lang)[1]) + r"\d{3}", largest), largest
    # The numbers underneath stay numbers, so a click on the header sorts by value.
    assert pd.api.types.is_numeric_dtype(numbers["followers"])


def check_ranking(at: AppTest, lang: str) -> None:
    words = EXPECTED[lang]
    assert_ok(at, words["ranking"])
    assert [h.value for h in at.subheader] == [words["ranking_subheader"]]
    numbers, shown = at.dataframe[0].value, displayed(at)
    assert headers(at)["peer_median"] == words["peer_median"]
    assert shown["value"].tolist() == [written(v, lang, 2, percent=True) for v in numbers["value"]]
    summary = " ".join(m.value for m in at.markdown)
    group = re.escape(written(1000, lang)[1])
    assert re.search(re.escape(words["largest_page"]) + r" .+ \(\d{1,3}(" + group + r"\d{3})* " + words["followers_word"] + r"\)",
                     summary), summary


def check_profile(at: AppTest, lang: str) -> None:
    words = EXPECTED[lang]
    assert_ok(at, words["profile"])
    assert [h.value for h in at.subheader] == [words["profile_subheader"]]
    numbers, shown = at.dataframe[0].value, displayed(at)
    assert headers(at)["peer_median"] == words["peer_median"]
    assert shown["value"].tolist() == [written(v, lang) for v in numbers["value"]]
    assert shown["peer_median"].tolist() == [written(v, lang) for v in numbers["peer_median"]]


def check_upload(at: AppTest, lang: str) -> None:
    words = EXPECTED[lang]
    assert_ok(at, words["upload"])
    assert words["history"] in [h.value for h in at.header]
    assert words["changes"] in [m.value for m in at.markdown]


def visit_every_page(at: AppTest, lang: str) -> None:
    check_watch(at, lang)
    at.switch_page("pages/ranking.py")
    check_ranking(at.run(), lang)
    at.switch_page("pages/profile.py")
    check_profile(at.run(), lang)
    at.switch_page("pages/upload.py")
    at.session_state["upload.files"] = [UPLOAD]
    check_upload(at.run(), lang)


@pytest.mark.parametrize("lang", ["sv", "da", "nb"])
def test_every_page_in_the_language_of_a_shared_link(benchmark_db, lang):
    at = new_app()
    at.query_params["lang"] = lang
    at.run()
    assert at.selectbox(key="language").value == lang
    visit_every_page(at, lang)


@pytest.mark.parametrize("lang", ["sv", "da", "nb"])
def test_every_page_in_the_language_picked_in_the_sidebar(benchmark_db, lang):
    at = new_app().run()
    at.sidebar.selectbox(key="language").set_value(lang).run()
    assert at.query_params["lang"] == lang  # the address now shares the choice
    visit_every_page(at, lang)


def test_english_is_the_default_without_a_browser_locale(benchmark_db):
    at = new_app().run()
    assert_ok(at, "Pages to watch")
    picker = at.sidebar.selectbox(key="language")
    assert picker.value == "en"
    assert picker.options == ["Svenska", "Dansk", "Norsk bokmål", "English"]
    shown = displayed(at)
    assert all("," in n or len(n) <= 3 for n in shown["followers"])
    assert shown["followers_change_pct"].str.endswith("%").all() and not shown["followers_change_pct"].str.contains(NBSP).any()


def test_an_unknown_language_in_the_link_falls_back_to_the_setting(benchmark_db, monkeypatch):
    monkeypatch.setenv("BENCHMARK_LANGUAGE", "da")
    at = new_app()
    at.query_params["lang"] = "fr"
    assert_ok(at.run(), "Sider at holde øje med")


def test_switching_the_picker_from_english_to_swedish_changes_the_title(benchmark_db):
    # AppTest runs app.py (and so the sidebar picker) on the first run only; later runs run the page.
    at = new_app().run()
    assert_ok(at, "Pages to watch")
    assert at.sidebar.selectbox(key="language").label.endswith("Language")
    assert at.selectbox(key="watch.period.kind").options == ["Week", "Month", "Quarter", "Year", "Custom range"]
    at.sidebar.selectbox(key="language").set_value("sv").run()
    assert_ok(at, "Sidor att bevaka")
    assert at.selectbox(key="watch.period.kind").options == ["Vecka", "Månad", "Kvartal", "År", "Eget intervall"]
    assert at.selectbox(key="watch.period.kind").label == "Period"
    assert at.selectbox(key="watch.period.quarter").label == "Kvartal"
    assert at.selectbox(key="watch.organisation").label == "Din organisation"
