"""Names read from files: one Unicode form, no invisible or control characters, look-alikes kept apart.

Through the real import service on the small registry of tests/conftest.py (Laxå, alias "Laxå
kommun"): the same page written in NFC and NFD, or with a zero-width space, is one account; a
page name with a Cyrillic letter that imitates a stored page or an organisation is neither
matched nor linked, and the preview says why; a name wholly in another alphabet is not
mistaken for another such name; control characters never reach the database or an export.
"""

from __future__ import annotations

import io
import unicodedata
from datetime import date

import openpyxl

from benchmark import imports
from benchmark.accounts import AccountIndex
from benchmark.importers.names import clean_name, is_latin, latin_look_alike, match_key
from benchmark.periods import parse_period
from benchmark.registry import name_key
from benchmark.reports import tables
from benchmark.views import organisation_pages
from tests.actors import ADMIN

NFC = unicodedata.normalize("NFC", "Laxå kommun")
NFD = unicodedata.normalize("NFD", "Laxå kommun")
CYRILLIC_A = "\u0430"  # а, looks like the Latin a
LOOK_ALIKE = f"L{CYRILLIC_A}xå kommun"


def template(account: str, organisation: str = "Laxå", period: str = "2025-Q1", posts: int = 7) -> bytes:
    return (f"organisation,platform,period,account,posts\n{organisation},facebook,{period},\"{account}\",{posts}\n"
            ).encode("utf-8")


def meta_posts(page: str, page_id: str) -> bytes:
    return ("\ufeffPost ID,Page ID,Page name,Title,Publish time,Post type,Date,Views,Reach,Reactions,Comments,Shares\n"
            f"{page_id}01,{page_id},{page},Hej,01/05/2026 09:42,Photos,Lifetime,100,80,5,1,0\n").encode("utf-8")


def commit(store, name: str, content: bytes, **options):
    plan = imports.plan_import(store, name, content, imports.ImportOptions(**options))
    return plan, imports.commit_import(store, plan, actor=ADMIN)


def real_accounts(store) -> list[tuple[str, int | None]]:
    return store.rows("SELECT name, organisation_id FROM accounts WHERE NOT is_demo ORDER BY account_id")


# -- the clean form --------------------------------------------------------------------------------------
def test_clean_name_normalises_trims_and_drops_what_cannot_be_seen():
    assert clean_name(NFD) == NFC and len(clean_name(NFD)) == len(NFC) == 11
    assert clean_name("  Lax\u200bå\u00a0 kommun\ufeff ") == "Laxå kommun"
    assert clean_name("Region\u202e Skåne\u2066") == "Region Skåne"  # bidi controls turn text around on screen
    assert clean_name("Lax\x00å\x0b kommun\x1f") == "Laxå kommun"  # NUL removed; \x0b and \x1f separate words
    assert clean_name("a\tb\r\nc\u2028d") == "a b c d"
    assert clean_name("\ufffeX\uffff") == "X"
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # an emoji sequence keeps its joiners
    assert clean_name(f"{family} Laxå") == f"{family} Laxå"
    assert clean_name("A\u200dB") == "AB"
    assert clean_name(None) is None and clean_name("\u200b") == ""


def test_match_key_keeps_other_alphabets_apart():
    assert match_key(NFD) == match_key(NFC) == name_key("Laxå kommun") == "laxa kommun"
    assert match_key("Ｌａｘå kommun") == "laxa kommun"  # full-width letters are the same Latin letters
    assert match_key(LOOK_ALIKE) != match_key(NFC)
    # name_key keeps only a-z and 0-9: it makes these two names equal, match_key does not
    assert name_key(LOOK_ALIKE) == name_key("L-xå kommun") == "l xa kommun"
    assert match_key(LOOK_ALIKE) != match_key("L-xå kommun")
    assert name_key("Москва") == name_key("Ελλάδα") == ""
    assert match_key("Москва") != match_key("Ελλάδα") and match_key("Москва") == match_key("МОСКВА")
    assert is_latin("Ŋuorggáš Đ æøå") and not is_latin(LOOK_ALIKE)
    assert latin_look_alike(LOOK_ALIKE) == "Laxå kommun"
    assert latin_look_alike("Ρ\u03bflisen") == "Polisen"  # Greek capital rho and small omicron
    assert latin_look_alike("Laxå kommun") is None and latin_look_alike("Москва") == "Mockba"


# -- through the import service ------------------------------------------------------------------------------
def test_nfc_nfd_and_a_zero_width_space_are_one_account(small_store):
    commit(small_store, "q1.csv", template(NFC))
    plan, _ = commit(small_store, "q2.csv", template(NFD, period="2025-Q2"))
    assert plan.accounts[0].account_id is not None  # found again, not created
    plan, _ = commit(small_store, "q3.csv", template("Lax\u200bå  kommun ", period="2025-Q3"))
    assert plan.accounts[0].account_id is not None
    laxa = small_store.scalar("SELECT organisation_id FROM organisations WHERE name = 'Laxå'")
    assert real_accounts(small_store) == [(NFC, laxa)]
    assert small_store.scalar("SELECT count(*) FROM period_values") == 3


def test_a_cyrillic_look_alike_is_not_matched_nor_linked_and_the_preview_says_so(small_store):
    plan, _ = commit(small_store, "laxa.csv", meta_posts("Laxå kommun", "999"))
    laxa = small_store.scalar("SELECT organisation_id FROM organisations WHERE name = 'Laxå'")
    (real,) = plan.accounts
    assert (real.name, real.organisation_id, str(real.how)) == ("Laxå kommun", laxa, "page name matches the registry")
    assert not [n for n in plan.parsed.notes if "look-alike" in n]

    plan = imports.plan_import(small_store, "fake.csv", meta_posts(LOOK_ALIKE, "666"))
    (fake,) = plan.accounts
    assert fake.account_id is None and fake.organisation_id is None  # a new page, linked to nothing
    assert fake.name == LOOK_ALIKE
    assert str(fake.how) == "not linked: a possible look-alike of 'Laxå'"  # the organisation, by its official name
    notes = [n for n in plan.parsed.notes if "look-alike" in n]
    assert notes == [
        f"possible look-alike: the page name {LOOK_ALIKE!r} is written with letters of another alphabet and looks "
        "like the stored page 'Laxå kommun'; it was kept apart from it. Check the name in the file: if it is the "
        "same page, correct the name and upload the file again",
        f"possible look-alike: the page name {LOOK_ALIKE!r} is written with letters of another alphabet and looks "
        "like the organisation 'Laxå'; it was not linked to it. Check the name in the file, and link the "
        "page by hand if it really belongs there",
    ]
    assert "möjlig förväxling" in notes[0].render("sv") and "mulig forveksling" in notes[1].render("da")
    imports.commit_import(small_store, plan, actor=ADMIN)
    assert real_accounts(small_store) == [("Laxå kommun", laxa), (LOOK_ALIKE, None)]


def test_names_wholly_in_other_alphabets_are_not_taken_for_each_other(small_store):
    commit(small_store, "moskva.csv", template("Москва"))
    index = AccountIndex(small_store)
    assert index.find("facebook", "Ελλάδα", None) is None  # both folded to "" by name_key
    assert index.find("facebook", "москва", None).name == "Москва"
    plan, _ = commit(small_store, "hellas.csv", template("Ελλάδα"))
    assert plan.accounts[0].account_id is None
    assert [name for name, _ in real_accounts(small_store)] == ["Москва", "Ελλάδα"]


def test_control_characters_never_reach_the_database_or_an_export(small_store):
    # A CSV with a NUL is refused as binary data; a few other control characters pass the reader.
    commit(small_store, "q1.csv", template("Lax\x01å\x0bkommun\x1f\u202e"))
    (name, _), = real_accounts(small_store)
    assert name == "Laxå kommun"
    laxa = imports.OrganisationIndex(small_store).resolve("Laxå")
    pages = organisation_pages(small_store, laxa, "facebook", parse_period("2025-Q1"))
    assert pages["account"].tolist() == ["Laxå kommun"] and pages["posts"].tolist() == [7]
    assert "Laxå kommun" in tables.frame_to_csv(pages[["account", "posts"]])
    table = tables.simple_table(pages, {"account": "Page", "posts": "Posts"}, "Pages", {"posts": tables.INT})
    sheet = openpyxl.load_workbook(io.BytesIO(tables.to_xlsx([table]))).active
    assert "Laxå kommun" in [c.value for row in sheet.iter_rows() for c in row]
    # and the form's page name is cleaned the same way
    series = ("sep=,\n\"Facebook follows\"\n\"Date\",\"Primary\"\n\"2025-01-01T01:00:00\",\"3\"\n").encode("utf-16")
    plan = imports.plan_import(small_store, "Follows.csv", series,
                               imports.ImportOptions(platform="facebook", account=" Lax\u200bå\tkommun\x00"))
    assert plan.accounts[0].name == "Laxå kommun" and plan.accounts[0].account_id is not None
    assert plan.first_day == date(2025, 1, 1)
