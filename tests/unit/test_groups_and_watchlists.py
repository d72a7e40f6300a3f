import pytest

from benchmark.errors import NotFoundError, ValidationError
from benchmark.groups import group_choices, resolve_group
from benchmark.registry import resolve_organisation
from benchmark.watchlists import MAX_WATCHED, delete_watch_list, get_watch_list, list_watch_lists, save_watch_list
from tests.actors import ADMIN


def names(store, group):
    return sorted(store.scalar("SELECT name FROM organisations WHERE organisation_id = ?", [i]) for i in group.organisation_ids)


def test_kind_country(small_store):
    assert names(small_store, resolve_group(small_store, "region:SE")) == ["Region Gotland", "Region Skåne", "Region Örebro län"]
    assert names(small_store, resolve_group(small_store, "Municipality:se")) == ["Laxå", "Region Gotland", "Örebro"]


@pytest.mark.parametrize("spec", ["in:Örebro län", "in:orebro lan", "in:Region Örebro län", "IN:Örebro läns landsting"])
def test_within_a_county_by_county_or_region_name(small_store, spec):
    group = resolve_group(small_store, spec)
    assert names(small_store, group) == ["Laxå", "Örebro"]
    assert group.spec == "in:Örebro län"


def test_gotland_is_its_own_county_municipality(small_store):
    assert names(small_store, resolve_group(small_store, "in:Gotlands län")) == ["Region Gotland"]


@pytest.mark.parametrize(
    ("spec", "what"),
    [("kommun:SE", "kind of body"), ("region:XX", "country"), ("in:Nowhere", "county or region"), ("My peers", "group")],
)
def test_unknown_groups(small_store, spec, what):
    with pytest.raises(NotFoundError) as caught:
        resolve_group(small_store, spec)
    assert f"unknown {what}" in str(caught.value)


def test_watch_list_round_trip_and_group(small_store):
    own = resolve_organisation(small_store, "Region Örebro län")
    peers = [resolve_organisation(small_store, n).organisation_id for n in ("Region Skåne", "Laxå")]
    save_watch_list(small_store, "Mina grannar", peers, own.organisation_id, actor=ADMIN)
    assert list_watch_lists(small_store) == ["Mina grannar"]
    assert names(small_store, resolve_group(small_store, "mina GRANNAR")) == ["Laxå", "Region Skåne"]
    assert "Mina grannar" in group_choices(small_store)
    # saving under the same name replaces the members
    save_watch_list(small_store, "Mina grannar", peers[:1], own.organisation_id, actor=ADMIN)
    assert get_watch_list(small_store, "Mina grannar").organisation_ids == tuple(peers[:1])
    delete_watch_list(small_store, "Mina grannar", actor=ADMIN)
    assert list_watch_lists(small_store) == []
    assert small_store.scalar("SELECT count(*) FROM watch_list_members") == 0
    assert small_store.integrity_problems() == {}


@pytest.mark.parametrize(
    ("name", "ids", "message"),
    [
        ("", [1], "needs a name"),
        ("region:SE", [1], "cannot contain ':'"),
        ("x" * 81, [1], "at most 80"),
        ("Empty", [], "at least one"),
        ("Too many", list(range(1, MAX_WATCHED + 2)), f"at most {MAX_WATCHED}"),
        ("Ghost", [1, 999999], "not in the registry"),
    ],
)
def test_watch_list_validation_writes_nothing(small_store, name, ids, message):
    with pytest.raises(ValidationError, match=message):
        save_watch_list(small_store, name, ids, actor=ADMIN)
    assert small_store.scalar("SELECT count(*) FROM watch_list_members") == 0
    assert small_store.scalar("SELECT count(*) FROM watch_lists") == 0
