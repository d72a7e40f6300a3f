"""Peer groups and organisations named in the users' language (what the pickers and subheaders show)."""

import pytest

from benchmark.groups import group_label, resolve_group, spec_label
from benchmark.registry import resolve_organisation
from benchmark.views import organisation_labels, organisation_options
from benchmark.watchlists import save_watch_list
from tests.actors import ADMIN


@pytest.mark.parametrize(("spec", "lang", "expected"), [
    ("region:SE", "sv", "Regioner i Sverige"),
    ("municipality:DK", "da", "Kommuner i Danmark"),
    ("agency:SE", "nb", "Statlige etater i Sverige"),
    ("agency:SE", "sv", "Statliga myndigheter i Sverige"),
    ("region:SE", "en", "Regions in Sweden"),
    ("in:Örebro län", "sv", "Kommuner i Örebro län"),
    ("in:Örebro län", "en", "Municipalities in Örebro län"),
])
def test_group_names_per_language(small_store, spec, lang, expected):
    group = resolve_group(small_store, spec)
    assert group_label(group, lang) == expected
    assert spec_label(spec, lang) == expected
    if lang == "en":
        assert group_label(group, lang) == group.label  # the English label stays what it was


def test_a_watch_list_says_what_it_is_but_keeps_its_name_in_a_picker(small_store):
    own = resolve_organisation(small_store, "Region Örebro län")
    save_watch_list(small_store, "Mina regioner", [resolve_organisation(small_store, "Region Skåne").organisation_id],
                    own.organisation_id, actor=ADMIN)
    group = resolve_group(small_store, "Mina regioner")
    assert group_label(group, "en") == group.label == "Watch list Mina regioner"
    assert group_label(group, "sv") == "Bevakningslistan ”Mina regioner”"
    assert spec_label("Mina regioner", "sv") == "Mina regioner"


def test_a_malformed_spec_is_shown_as_written():
    assert spec_label("kommun:SE", "sv") == "kommun:SE"


def test_organisation_labels_name_the_kind_in_the_language(small_store):
    options = organisation_options(small_store)
    ids = {name: i for i, name in zip(options["organisation_id"], options["name"], strict=True)}
    assert organisation_labels(options, "sv")[ids["Laxå"]] == "Laxå (SE, kommun)"
    assert organisation_labels(options, "da")[ids["Laxå"]] == "Laxå (SE, kommune)"
    assert organisation_labels(options, "en")[ids["Polismyndigheten"]] == "Polismyndigheten (SE, state agency)"
