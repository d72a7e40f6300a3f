"""Shareable links: a view's state in the URL, read back strictly, and "add this view to a deck"."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.actors import ADMIN
from tests.app.sessions import app_store, signed_in
from tests.app.test_pages import REPO, org_id


def page_app(page: str) -> AppTest:
    """A page run on its own (as AppTest runs every page after the first run), with its URL's parameters."""
    return AppTest.from_file(str(REPO / page), default_timeout=60)


def test_a_ranking_link_opens_that_view_and_the_url_reads_back_the_same(benchmark_db):
    orebro = org_id(benchmark_db, "Örebro")
    at = page_app("pages/ranking.py")
    link = {"org": "SE:1880", "group": "in:Örebro län", "platform": "instagram", "period": "2025-Q2",
            "metric": "posts_per_month", "lang": "en"}
    at.query_params.update(link)
    at.run()
    assert not at.exception and not at.error
    assert not at.warning or all("link" not in w.value for w in at.warning)
    assert at.selectbox(key="ranking.organisation").value == orebro
    assert at.selectbox(key="ranking.group").value == "in:Örebro län"
    assert at.selectbox(key="ranking.platform").value == "instagram"
    assert at.selectbox(key="ranking.metric").value == "posts_per_month"
    assert at.selectbox(key="ranking.period.kind").value == "quarter"
    assert at.selectbox(key="ranking.period.quarter").value == "2025-Q2"
    assert at.subheader[0].value == "Municipalities in Örebro län: Posts per month, Instagram, 2025-Q2"
    assert at.query_params == link


def test_changing_a_picker_changes_the_link(benchmark_db):
    at = page_app("pages/ranking.py")
    at.query_params.update({"org": "SE:18", "platform": "facebook", "period": "2025-Q2", "metric": "followers"})
    at.run()
    at.selectbox(key="ranking.metric").set_value("engagements").run()
    assert at.query_params["metric"] == "engagements"
    assert at.query_params["org"] == "SE:18"
    assert at.query_params["group"] == "region:SE"
    assert at.query_params["lang"] == "en"


def test_malformed_and_unknown_values_are_reported_and_the_page_shows_its_defaults(benchmark_db):
    default_org = org_id(benchmark_db, "Region Örebro län")
    at = page_app("pages/ranking.py")
    at.query_params.update({"org": "SE:99999", "platform": "tiktok", "period": "2025-Q7", "metric": "eval(1)",
                            "group": "region:XX", "colour": "red"})
    at.run()
    assert not at.exception and not at.error
    warning = next(w.value for w in at.warning if "could not be used" in w.value)
    for expected in ("org='SE:99999' ignored: unknown organisation 'SE:99999'",
                     "platform='tiktok' ignored: there are no figures for this platform",
                     "period='2025-Q7' ignored: cannot read period", "metric='eval(1)' ignored",
                     "colour='red' ignored", "group='region:XX' ignored: no such peer group"):
        assert expected in warning, warning
    # Defaults: the configured organisation, the first platform with data, the page's own metric.
    assert at.selectbox(key="ranking.organisation").value == default_org
    assert at.selectbox(key="ranking.metric").value == "engagement_rate_by_follower"
    # The URL now describes what is shown, without the bad values.
    assert at.query_params["org"] == "SE:18" and at.query_params["metric"] == "engagement_rate_by_follower"
    assert "colour" not in at.query_params
    # Once the user moves on, the notice about the old link goes.
    at.selectbox(key="ranking.metric").set_value("posts").run()
    assert not any("could not be used" in w.value for w in at.warning)


def test_a_watch_link_names_the_watched_organisations(benchmark_db):
    own, stockholm, skane = (org_id(benchmark_db, n) for n in ("Region Örebro län", "Region Stockholm", "Region Skåne"))
    at = page_app("pages/watch.py")
    at.query_params.update({"org": "SE:18", "platform": "facebook", "period": "2025-Q2", "watch": "SE:01,SE:12,SE:18"})
    at.run()
    assert not at.exception and not at.error
    watched = at.multiselect(key=f"watch.members.region:SE.{own}").value
    assert sorted(watched) == sorted([stockholm, skane])
    table = at.dataframe[0].value
    assert len(table) == 3  # your own organisation and the two watched
    assert at.query_params["watch"] == "SE:01,SE:12"


def test_a_profile_link_sets_grain_and_range_and_a_range_outside_the_data_is_reported(benchmark_db):
    at = page_app("pages/profile.py")
    at.query_params.update({"org": "SE:18", "platform": "facebook", "metric": "followers", "every": "year",
                            "from": "2023", "to": "2025"})
    at.run()
    assert not at.exception and not at.error
    assert at.selectbox(key="profile.grain").value == "year"
    assert at.select_slider(key="profile.range.year").value == ("2023", "2025")
    assert list(at.dataframe[0].value["period"]) == ["2023", "2024", "2025"]

    at = page_app("pages/profile.py")
    at.query_params.update({"org": "SE:18", "platform": "facebook", "every": "year", "from": "1990", "to": "1991"})
    at.run()
    assert not at.exception and not at.error
    assert any("these periods are not in the stored data" in w.value for w in at.warning)


def test_a_link_in_swedish_opens_the_page_in_swedish(benchmark_db):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.query_params.update({"lang": "sv", "org": "SE:18", "platform": "facebook", "period": "2025-Q2"})
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Sidor att bevaka"]
    assert at.query_params["lang"] == "sv"


def test_add_this_view_to_a_new_deck(benchmark_db):
    at = signed_in(page_app("pages/ranking.py"), "anna")  # adding to a deck needs the analyst role
    at.query_params.update({"org": "SE:18", "platform": "facebook", "period": "2025-Q2", "metric": "followers"})
    at.run()
    at.selectbox(key="ranking.share.deck").set_value("➕ New deck…").run()
    at.text_input(key="ranking.share.deck_name").set_value("Nätverksmöte")
    at.text_input(key="ranking.share.note").set_value("Regionerna")
    at.button(key="ranking.share.add").click().run()
    assert not at.exception and not at.error
    assert any("Added to “Nätverksmöte” as slide 1." in s.value for s in at.success)
    rows = app_store().rows("SELECT d.name, s.position, s.view, s.note FROM decks d JOIN deck_slides s USING (deck_id)")
    assert rows == [("Nätverksmöte", 1, ("page=ranking&org=SE%3A18&group=region%3ASE&platform=facebook"
                                         "&period=2025-Q2&metric=followers"), "Regionerna")]


def test_the_problems_of_a_link_are_told_in_the_link_s_language(benchmark_db):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.query_params.update({"lang": "da", "org": "SE:99999", "period": "2025-Q7", "metric": "foo"})
    at.switch_page("pages/ranking.py")
    at.run()
    assert not at.exception
    warning = next(w.value for w in at.warning if "Dele af linket" in w.value)
    assert "linkparameteren metric='foo' bruges ikke: ikke et mål-id" in warning
    assert "linkparameteren org='SE:99999' bruges ikke: ukendt organisation 'SE:99999'" in warning
    assert "linkparameteren period='2025-Q7' bruges ikke:" in warning and "is not" not in warning


def test_a_watch_link_with_a_saved_list_and_its_own_members(benchmark_db):
    from benchmark.store import Store
    from benchmark.watchlists import save_watch_list

    own, stockholm, skane, uppsala = (org_id(benchmark_db, n) for n in (
        "Region Örebro län", "Region Stockholm", "Region Skåne", "Region Uppsala"))
    with Store(benchmark_db) as store:
        save_watch_list(store, "Mina regioner", [stockholm, skane, uppsala], own, actor=ADMIN)
    at = page_app("pages/watch.py")
    at.query_params.update({"org": "SE:18", "platform": "facebook", "period": "2025-Q2", "group": "Mina regioner",
                            "watch": "SE:01,SE:03"})
    at.run()
    assert not at.exception and not at.error
    assert at.selectbox(key="watch.source").value == "Mina regioner"
    assert sorted(at.multiselect(key=f"watch.members.Mina regioner.{own}").value) == sorted([stockholm, uppsala])
    assert len(at.dataframe[0].value) == 3
    assert (at.query_params["group"], at.query_params["watch"]) == ("Mina regioner", "SE:01,SE:03")
    # The list's own members: no `watch` in the link.
    at.multiselect(key=f"watch.members.Mina regioner.{own}").set_value([stockholm, skane, uppsala]).run()
    assert "watch" not in at.query_params and at.query_params["group"] == "Mina regioner"


def test_a_link_in_another_language_switches_a_running_session_at_once(benchmark_db):
    at = page_app("pages/ranking.py")
    at.run()
    assert [t.value for t in at.title] == ["Peer ranking"]
    at.query_params.clear()
    at.query_params.update({"lang": "nb", "org": "SE:18", "platform": "facebook", "period": "2025-Q2"})
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Rangering"]
    assert at.query_params["lang"] == "nb"


def test_an_organisation_s_pages_one_by_one_can_be_downloaded(benchmark_db):
    import io

    import openpyxl

    from benchmark import imports
    from benchmark.reports.tables import simple_table, to_xlsx
    from benchmark.store import Store

    upload = ("organisation,platform,period,account,followers,posts,reactions,comments,shares\n"
              "Region Örebro län,facebook,2025-Q2,=Vårdgivarwebben,1234,10,50,5,5\n"
              "Region Örebro län,facebook,2025-Q2,Region Örebro län,8000,30,300,20,10\n")
    with Store(benchmark_db) as store:
        imports.commit_import(store, imports.plan_import(store, "second-page.csv", upload.encode()), actor=ADMIN)
    at = page_app("pages/watch.py")
    at.query_params.update({"org": "SE:18", "platform": "facebook", "period": "2025-Q2"})
    at.run()
    assert not at.exception and not at.error
    buttons = [b for b in at.get("download_button") if "watch.pages.download" in (b.proto.id or "")]
    assert [b.label for b in buttons] == ["CSV", "XLSX"]
    pages = at.dataframe[1].value  # the expander's table: the organisation's pages one by one
    assert "=Vårdgivarwebben" in set(pages["account"])
    # What the XLSX button writes: the page name neutralised, followers as a number with the metric's format.
    table = simple_table(pages, {"account": "Page", "followers": "Followers"}, "Region Örebro län",
                         metrics={"followers": "followers"})
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx([table]))).active
    cells = {c.value: c for row in sheet.iter_rows() for c in row if c.value is not None}
    assert "'=Vårdgivarwebben" in cells and cells["'=Vårdgivarwebben"].data_type == "s"
    assert cells[1234].data_type == "n"
