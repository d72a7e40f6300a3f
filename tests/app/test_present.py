"""Presentation mode: a saved deck, edited and shown one slide at a time."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from benchmark import decks
from benchmark.decks import Slide
from benchmark.store import Store
from benchmark.viewstate import ViewState
from tests.app.test_pages import REPO
from tests.actors import ADMIN
from tests.app.sessions import signed_in

RANKING = ViewState(page="ranking", org="SE:18", group="region:SE", platform="facebook", period="2025-Q2",
                    metric="followers")
WATCH = ViewState(page="watch", org="SE:18", platform="facebook", period="2025-Q2")
PROFILE = ViewState(page="profile", org="SE:18", group="region:SE", platform="facebook", metric="posts",
                    every="quarter", first="2024-Q3", last="2025-Q2")


def save_deck(db, slides) -> None:
    with Store(db) as store:
        decks.save_deck(store, "Nätverksmöte", slides, actor=ADMIN)


def present_app(**params) -> AppTest:
    """The page as an analyst sees it (a viewer presents but cannot change a deck: test_access_pages)."""
    at = signed_in(AppTest.from_file(str(REPO / "pages/present.py"), default_timeout=60), "anna")
    at.query_params.update(params)
    return at.run()


def test_without_decks_the_page_says_how_to_make_one(benchmark_db):
    at = present_app()
    assert not at.exception and not at.error
    assert [t.value for t in at.title] == ["Presentation"]
    assert "No decks yet" in at.info[0].value


def test_the_slide_list_can_be_reordered_and_shortened(benchmark_db):
    save_deck(benchmark_db, [Slide(RANKING, "Regionerna"), Slide(WATCH), Slide(PROFILE)])
    at = present_app()
    assert not at.exception and not at.error
    texts = [m.value for m in at.markdown if m.value.startswith("**")]
    assert texts[0].startswith("**1.** Peer ranking · Region Örebro län · Regions in Sweden · Followers · Facebook · 2025-Q2")
    assert "*Regionerna*" in texts[0]
    assert texts[1].startswith("**2.** Pages to watch · Region Örebro län · Facebook · 2025-Q2")
    at.button(key="present.up.3").click().run()
    texts = [m.value for m in at.markdown if m.value.startswith("**")]
    assert [t.split(" ", 1)[1].split(" · ")[0] for t in texts[:3]] == ["Peer ranking", "Organisation profile", "Pages to watch"]
    at.button(key="present.remove.1").click().run()
    texts = [m.value for m in at.markdown if m.value.startswith("**")]
    assert [t.split(" ", 1)[1].split(" · ")[0] for t in texts[:2]] == ["Organisation profile", "Pages to watch"]
    assert at.query_params["deck"] == "Nätverksmöte"


def test_presenting_shows_one_slide_at_a_time_with_next_and_previous(benchmark_db):
    save_deck(benchmark_db, [Slide(RANKING, "Regionerna på Facebook"), Slide(WATCH)])
    at = present_app(deck="Nätverksmöte")
    at.button(key="present.start").click().run()
    assert not at.exception and not at.error
    assert at.query_params["slide"] == "1"
    assert [t.value for t in at.title] == ["Followers"] or "Followers" in at.title[0].value
    assert any("Regionerna på Facebook" in m.value for m in at.markdown)
    assert len(at.get("vega_lite_chart")) == 1  # the ranking's chart, its table folded away
    assert any("1 / 2" in m.value for m in at.markdown)
    assert at.button(key="present.previous").disabled
    at.button(key="present.next").click().run()
    assert not at.exception and not at.error
    assert at.query_params["slide"] == "2"
    assert len(at.get("vega_lite_chart")) == 0 and len(at.dataframe) == 1  # Pages to watch: the table
    assert at.button(key="present.next").disabled
    at.button(key="present.stop").click().run()
    assert "slide" not in at.query_params
    assert [t.value for t in at.title] == ["Presentation"]


def test_a_link_to_a_slide_opens_it_and_a_bad_slide_number_falls_back(benchmark_db):
    save_deck(benchmark_db, [Slide(RANKING), Slide(PROFILE)])
    at = present_app(deck="Nätverksmöte", slide="2")
    assert not at.exception and not at.error
    assert any("2 / 2" in m.value for m in at.markdown)
    at = present_app(deck="Nätverksmöte", slide="9")  # past the end: the last slide
    assert any("2 / 2" in m.value for m in at.markdown)
    at = present_app(deck="No such deck", slide="1")  # unknown deck: the deck list
    assert not at.exception
    assert [t.value for t in at.title] == ["Presentation"]


def test_presentation_in_swedish(benchmark_db):
    save_deck(benchmark_db, [Slide(RANKING)])
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.query_params.update({"lang": "sv"})
    at.switch_page("pages/present.py")
    at.run()
    assert not at.exception and not at.error
    assert [t.value for t in at.title] == ["Presentation"]
    assert at.button(key="present.start").label == "Presentera"
