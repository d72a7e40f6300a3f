"""Links and deck slides: a view's state round-trips through its query string; bad values are reported and dropped."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from benchmark.viewstate import ViewState, parse_query


def test_a_full_ranking_state_round_trips():
    state = ViewState(page="ranking", org="SE:1880", group="in:Örebro län", platform="facebook",
                      period="2025-Q3", metric="engagement_rate_by_follower", lang="sv")
    text = state.to_query_string()
    assert text == ("page=ranking&org=SE%3A1880&group=in%3A%C3%96rebro+l%C3%A4n&platform=facebook"
                    "&period=2025-Q3&metric=engagement_rate_by_follower&lang=sv")
    assert parse_query(text).state == state
    assert parse_query(text).problems == ()


def test_the_url_path_names_the_page_and_profile_ranges_use_from_and_to():
    state = ViewState(page="profile", org="DK:0657", every="month", first="2024-01", last="2025-W27..2025-W39")
    assert state.to_query() == {"org": "DK:0657", "every": "month", "from": "2024-01", "to": "2025-W27..2025-W39"}
    assert parse_query(state.to_query(), page="profile").state == state


def test_watched_organisations_are_a_comma_list_of_codes():
    parsed = parse_query({"watch": "SE:1880, se:1881,,NO:3301", "org": "se:1814"})
    assert parsed.state.watch == ("SE:1880", "SE:1881", "NO:3301")
    assert parsed.state.org == "SE:1814"
    assert ViewState(watch=("SE:1880", "SE:1881")).to_query() == {"watch": "SE:1880,SE:1881"}


def test_malformed_and_unknown_parameters_are_reported_and_left_at_their_defaults():
    parsed = parse_query("org=x%3Bdrop+table&period=2025-Q5&metric=__import__('os')&platform=myspace"
                         "&lang=fr&every=week&page=admin&unknown=1&slide=0")
    assert parsed.state == ViewState()
    problems = "\n".join(parsed.problems)
    assert len(parsed.problems) == 9
    for expected in ("org='x;drop table' ignored: write an organisation as COUNTRY:CODE",
                     "period='2025-Q5' ignored: cannot read period",
                     "metric=\"__import__('os')\" ignored: not a metric id",
                     "platform='myspace' ignored: platforms are facebook",
                     "lang='fr' ignored: languages are sv, da, nb, en",
                     "every='week' ignored: write month, quarter or year",
                     "page='admin' ignored",
                     "unknown='1' ignored: not a parameter of this dashboard",
                     "slide='0' ignored: write a slide number from 1 to 999"):
        assert expected in problems


def test_a_repeated_parameter_keeps_its_first_value():
    parsed = parse_query("platform=instagram&platform=facebook")
    assert parsed.state.platform == "instagram"
    assert parsed.problems == ("link parameter platform='facebook' ignored: given more than once; the first value is used",)


def test_over_long_values_and_control_characters_are_refused():
    parsed = parse_query({"group": "x" * 201, "deck": "a\x00b"})
    assert parsed.state.group is None and parsed.state.deck is None
    assert "too long" in parsed.problems[0] and "not a deck name" in parsed.problems[1]


def test_presentation_parameters():
    parsed = parse_query("page=present&deck=M%C3%B6te+i+n%C3%A4tverket&slide=12")
    assert (parsed.state.page, parsed.state.deck, parsed.state.slide) == ("present", "Möte i nätverket", 12)


@given(st.dictionaries(st.text(max_size=12), st.text(max_size=40), max_size=6))
def test_no_input_raises(params):
    parsed = parse_query(params)
    assert isinstance(parsed.state, ViewState)
    # Whatever was kept is itself well-formed: it parses again to the same state with no problem.
    again = parse_query(parsed.state.to_query_string())
    assert again.state == parsed.state and again.problems == ()


@given(st.text(max_size=200))
def test_no_query_string_raises(text):
    parse_query(text)


def test_every_link_parameter_is_documented_and_its_example_parses():
    from benchmark.viewstate import PARAM_OF, PARAMETER_HELP

    assert set(PARAMETER_HELP) == set(PARAM_OF.values()) - {"page"}
    for param, (_, _, example) in PARAMETER_HELP.items():
        parsed = parse_query({param: example}, page="present" if param in ("deck", "slide") else "ranking")
        assert parsed.problems == (), (param, parsed.problems)
