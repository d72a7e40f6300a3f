"""Every error message a user can see, in Swedish, Danish, Norwegian and English.

- Every `error.*` text of the catalogue renders in all four languages with sample parameters.
- Real failures, produced through the real code paths, read as hand-written here in Swedish
  and Danish, with every nested part (a reason, suggestions, the rows of a refused file, a
  format's name, advice) in the same language and the user's own values untouched.
- No raise site in `benchmark/` builds its message from an English sentence instead of a key.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from benchmark import errors, i18n
from benchmark.errors import (
    BenchmarkError,
    Joined,
    Message,
    NotFoundError,
    Number,
    PeriodError,
    ValidationError,
)
from benchmark.importers import open_export
from benchmark.importers.model import CellError, ImportRejected, UnrecognisedFileError
from benchmark.periods import parse_period
from benchmark.registry import resolve_organisation
from benchmark.watchlists import MAX_WATCHED, save_watch_list
from tests.conftest import shared_or_skip
from tests.actors import ADMIN

ROOT = Path(__file__).resolve().parents[2]
LANGS = tuple(i18n.LANGUAGES)


def error_keys() -> list[str]:
    return sorted(k.removeprefix("error.") for k in i18n.catalogue("en") if k.startswith("error."))


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


# -- the catalogue ------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_every_error_key_renders_in_every_language(lang):
    assert len(error_keys()) > 150
    for key in error_keys():
        names = _fields(i18n.catalogue("en")[f"error.{key}"])
        params = {name: f"<{name}>" for name in names}
        text = i18n.render_error(key, lang, params)
        assert text.strip(), key
        assert "{" not in text and "}" not in text, key
        for name in names:  # a parameter is never dropped in translation
            assert f"<{name}>" in text, (lang, key, name)


def test_translations_are_not_copies_of_the_english():
    english = i18n.catalogue("en")
    # The same in every language: patterns made only of parts, and one word.
    same_everywhere = ["importer.file", "importer.problem.bare", "importer.problem.where", "word.kind.region"]
    for lang in ("sv", "da", "nb"):
        messages = i18n.catalogue(lang)
        copied = sorted(k.removeprefix("error.") for k in english
                        if k.startswith("error.") and messages[k] == english[k])
        assert copied == same_everywhere, lang


# -- real failures, as the user reads them -------------------------------------------------------
def test_unknown_organisation_with_suggestions(small_store):
    with pytest.raises(NotFoundError) as caught:
        resolve_organisation(small_store, "Region Skånee")
    error = caught.value
    suggestions = "'Region Skåne', 'Region Gotland', 'Region Örebro län'"
    assert str(error) == f"unknown organisation 'Region Skånee'; did you mean {suggestions}?"
    assert i18n.error_text(error, "sv") == f"okänd organisation 'Region Skånee'; menade du {suggestions}?"
    assert i18n.error_text(error, "da") == f"ukendt organisation 'Region Skånee'; mente du {suggestions}?"
    assert i18n.error_text(error, "nb") == f"ukjent organisasjon 'Region Skånee'; mente du {suggestions}?"
    assert error.suggestions == ["Region Skåne", "Region Gotland", "Region Örebro län"]


def test_ambiguous_organisation_describes_the_candidates_in_the_language(tmp_path):
    from benchmark.errors import AmbiguousNameError
    from benchmark.registry import load_registry
    from benchmark.store import Store
    from tests.conftest import SMALL_REGISTRY

    folder = tmp_path / "registry"
    folder.mkdir()
    (folder / "small.csv").write_text(SMALL_REGISTRY + "NO,agency,999,Laxå,,,,,,\n", encoding="utf-8")
    with Store(tmp_path / "two.duckdb") as store:
        store.create_schema()
        load_registry(store, folder, actor=ADMIN)
        with pytest.raises(AmbiguousNameError) as caught:
            resolve_organisation(store, "Laxå")
    assert str(caught.value).startswith("organisation 'Laxå' matches several: ")
    sv = i18n.error_text(caught.value, "sv")
    assert sv.startswith("organisationen 'Laxå' passar in på flera: ")
    assert "Laxå (kommun, SE, kod SE:1860)" in sv and "Laxå (statlig myndighet, NO, kod NO:999)" in sv
    assert re.search(r"; använd koden i stället, till exempel (SE:1860|NO:999)$", sv)
    da = i18n.error_text(caught.value, "da")
    assert "Laxå (kommune, SE, kode SE:1860)" in da and "Laxå (statslig myndighed, NO, kode NO:999)" in da


def test_malformed_period():
    with pytest.raises(PeriodError) as caught:
        parse_period("2025-Q5")
    forms = "2024-Q3, 2024-07, 2024-W27, 2024, 2024-W27..2024-W39"
    assert i18n.error_text(caught.value, "sv") == (
        f"kan inte läsa perioden '2025-Q5': formatet känns inte igen; skriv den som {forms} (hela veckor) "
        "eller 2024-07-01..2024-09-30"
    )
    assert i18n.error_text(caught.value, "da") == (
        f"kan ikke læse perioden '2025-Q5': formatet genkendes ikke; skriv den som {forms} (hele uger) "
        "eller 2024-07-01..2024-09-30"
    )
    assert caught.value.reason == "the format is not recognised"  # the part keeps its English text too


def test_a_period_reason_with_values():
    with pytest.raises(PeriodError) as caught:
        parse_period("2025-W54")
    assert i18n.error_text(caught.value, "sv").startswith(
        "kan inte läsa perioden '2025-W54': år 2025 har ingen ISO-vecka 54; skriv den som")
    assert i18n.error_text(caught.value, "nb").startswith(
        "kan ikke lese perioden '2025-W54': år 2025 har ingen ISO-uke 54; skriv den som")


def test_too_long_watch_list(small_store):
    with pytest.raises(ValidationError) as caught:
        save_watch_list(small_store, "Mina grannar", list(range(1, MAX_WATCHED + 2)), actor=ADMIN)
    assert str(caught.value) == "a watch list can hold at most 400 organisations; 'Mina grannar' has 401"
    assert i18n.error_text(caught.value, "sv") == (
        "en bevakningslista får innehålla högst 400 organisationer; 'Mina grannar' har 401")
    assert i18n.error_text(caught.value, "da") == (
        "en overvågningsliste kan højst indeholde 400 organisationer; 'Mina grannar' har 401")


def test_a_cell_the_importer_cannot_read_in_a_real_export():
    raw = shared_or_skip("samples", "tiktok_overview_en.csv").read_bytes()
    assert b"\n2025/10/31,715," in raw
    mutated = raw.replace(b"\n2025/10/31,715,", b"\n2025/10/31,7l5,", 1)  # a typed l for a 1
    with pytest.raises(ImportRejected) as caught:
        open_export("tiktok_overview_en.csv", mutated)
    error = caught.value
    (problem,) = error.problems
    assert (problem.row, problem.column, problem.value) == ("row 2", "Video views", "7l5")
    assert i18n.error_text(error, "sv") == (
        "tiktok_overview_en.csv: inte importerad — 1 värde(n) i denna översiktsexport från TikTok "
        "(en rad per dag) kan inte läsas; rätta dem i filen (eller exportera den igen från plattformen) "
        "och ladda upp den på nytt:\n"
        "  - rad 2, kolumnen 'Video views': '7l5' — här förväntas ett heltal, till exempel 1234 eller 1 234"
    )
    assert i18n.error_text(error, "da") == (
        "tiktok_overview_en.csv: ikke importeret — 1 værdi(er) i denne oversigtseksport fra TikTok "
        "(én række pr. dag) kan ikke læses; ret dem i filen (eller eksportér den igen fra platformen), "
        "og upload den igen:\n"
        "  - række 2, kolonnen 'Video views': '7l5' — her forventes et helt tal, for eksempel 1234 eller 1 234"
    )
    # The parts an error keeps can be shown one by one (the Upload page's table of problems).
    assert i18n.localise(problem.row, "nb") == "rad 2"
    assert i18n.localise(problem.expected, "sv") == "ett heltal, till exempel 1234 eller 1 234"
    assert i18n.localise(error.format_label, "da") == "oversigtseksport fra TikTok (én række pr. dag)"


def test_many_problems_in_a_workbook_sheet_are_counted_in_the_language():
    rows = "\n".join(f"2025/11/{day:02d},x{day},1,1,1,1,1,0,0,1,1,0" for day in range(1, 26))
    content = ("Date,Video views,Reached audience,Profile views,Likes,Shares,Comments,Phone number clicks ,"
               "Leads submission,Net growth,New followers,Lost followers\n" + rows + "\n").encode()
    with pytest.raises(ImportRejected) as caught:
        open_export("overview.csv", content)
    sv = i18n.error_text(caught.value, "sv")
    assert "25 värde(n)" in sv and sv.endswith("\n  … och 5 till")
    assert sv.count("\n  - rad ") == 20 and "expected" not in sv and "row" not in sv


def test_an_unrecognised_file():
    with pytest.raises(UnrecognisedFileError) as caught:
        open_export("members.csv", b"Name,Score\nAnna,1\nBo,2\n")
    sv = i18n.error_text(caught.value, "sv")
    assert sv.startswith(
        "members.csv: detta är ingen export som vi känner igen (kolumnrubrikerna passar inte in på någon av de "
        "kända layouterna). Vi läser: ")
    assert sv.endswith(
        "; projektmall. Ladda upp filen så som plattformen exporterade den, eller för över siffrorna till "
        "projektets mall (ladda ned den på sidan Ladda upp eller med `benchmark template`).")
    assert "översiktsexport från TikTok (en rad per dag)" in sv and "export from" not in sv
    da = i18n.error_text(caught.value, "da")
    assert da.startswith("members.csv: dette er ikke en eksport, vi genkender (kolonneoverskrifterne passer ikke "
                         "på nogen af de kendte layouts). Vi læser: ")
    assert "oversigtseksport fra TikTok (én række pr. dag)" in da


def test_a_recognised_file_without_page_metrics_gets_advice_in_the_language():
    raw = shared_or_skip("samples", "meta_mbs_audience_age_gender_en_utf16.csv").read_bytes()
    with pytest.raises(UnrecognisedFileError) as caught:
        open_export("audience.csv", raw)
    assert i18n.error_text(caught.value, "da").startswith(
        "audience.csv: dette er en målgruppeeksport fra Meta Business Suite (alder, køn, lande, byer), ikke en "
        "eksport af sidestatistik, så der er intet at importere fra den. Denne fil beskriver målgruppen "
        "(andele af følgerne efter alder, køn og sted), ikke sidens aktivitet. Sidestatistik findes i to andre "
        "eksporter fra Meta Business Suite: Insights → Content → Export")


def test_an_unreadable_file_with_a_number_written_the_language_s_way():
    with pytest.raises(BenchmarkError) as caught:
        open_export("huge.csv", b"Date,Views\n" + b"2025-01-01,1\n" * 10_000, max_bytes=2**16)
    assert str(caught.value).startswith("huge.csv: the file is 0.124 MB and files of at most 0.0625 MB can be read")
    assert i18n.error_text(caught.value, "sv").startswith(
        "huge.csv: filen är 0,124 MB och filer på högst 0,0625 MB kan läsas; exportera ett kortare datumintervall")


def test_values_from_the_file_are_never_translated():
    error = CellError("kommentarer", "expected.count")
    assert i18n.error_text(error, "en") == "'kommentarer': expected a whole number such as 1234 or 1 234"
    assert i18n.error_text(error, "sv") == "'kommentarer': här förväntas ett heltal, till exempel 1234 eller 1 234"


def test_error_text_of_other_exceptions_is_their_own_text():
    assert i18n.error_text(ValueError("boom"), "sv") == "boom"
    assert i18n.error_text(KeyError("x"), "da") == "'x'"
    # A sentence that is no key is shown as written (code that has no catalogue text yet).
    assert i18n.error_text(BenchmarkError("plain English"), "nb") == "plain English"
    assert BenchmarkError("plain English").key is None


def test_parts_render_in_the_language_and_str_is_english():
    part = Message("period.reason.no_month", month="13")
    assert part == "there is no month 13" and part.render("sv") == "det finns ingen månad 13"
    assert str(Joined([Message("word.kind.region"), "Laxå"], "; ")) == "region; Laxå"
    assert Joined([Message("word.kind.municipality")]).render("da") == "kommune"
    assert Number(10_001).render("sv") == "10\u00a0001" and str(Number(0.0625, ".3g")) == "0.0625"
    # A Message survives pickling (Streamlit's caches) and copying.
    import copy
    import pickle

    assert pickle.loads(pickle.dumps(part)).render("nb") == "det finnes ingen måned 13"
    assert copy.deepcopy(part).key == "period.reason.no_month"


def test_an_unknown_what_falls_back_to_a_general_text():
    error = NotFoundError("frobnicator", "x", ["y"])
    assert str(error) == "unknown frobnicator 'x'; did you mean 'y'?"
    assert i18n.error_text(error, "sv") == "okänt värde för frobnicator: 'x'; menade du 'y'?"


# -- no untranslated message creeps back in ------------------------------------------------------
def _error_classes() -> set[str]:
    import benchmark.importers.model  # noqa: F401  (defines the importer's errors)

    found: set[str] = set()
    todo: list[type] = [BenchmarkError]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return found | {"CellError", "ValueError"}


# Calls whose text arguments become what the user reads.
MESSAGE_CALLS = {"rejected", "RowProblem", "Message"}
PROBLEM_METHODS = {"add", "read_required"}  # problems.add(…, expected), problems.read_required(…, what)
KEY = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+")
SENTENCE = re.compile(r"[A-Za-z]{2,}[ ,;:][ ]?[A-Za-z]{2,}")

# Files that other work converts (their own catalogue texts), not checked here yet.
OTHER_WORK = {
    "benchmark/cli.py": "the command line's own messages are converted with the CLI",
    "benchmark/reports/": "reports are converted with the reports",
}
# Internal errors that may stay English: (file, start of the text) -> why.
INTERNAL = {
    ("benchmark/i18n.py", "message "): "a broken catalogue file: a programming error the tests catch",
    ("benchmark/query.py", "unknown metrics: "): "callers pass metric ids checked before; a programming error",
    ("benchmark/importers/headers.py", "header alias "): "the alias tables are code: a programming error",
    ("benchmark/importers/values.py", "pacific_to_utc expects"): "a wrong argument from code",
    ("benchmark/periods.py", "no calendar periods of kind "): "kinds come from code, not from users",
    ("benchmark/summaries.py", "period summaries: "): "a consistency check that should never fail",
    ("benchmark/views.py", "a watch list can hold at most "): "views.py is converted with the pages (only "
                                                               "check_platform here)",
}


def _texts(node: ast.expr) -> str | None:
    """The literal text of an argument (an f-string's literal parts), or None when it is no literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return None


def _message_literals() -> list[tuple[str, int, str, str]]:
    """(file, line, call, text) of every literal text passed to an error or a message in benchmark/."""
    known = _error_classes()
    found = []
    for path in sorted((ROOT / "benchmark").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name) and (func.id in known or func.id in MESSAGE_CALLS):
                name = func.id
            elif (isinstance(func, ast.Attribute) and func.attr in PROBLEM_METHODS
                  and isinstance(func.value, ast.Name) and func.value.id == "problems"):
                name = f"problems.{func.attr}"
            else:
                continue
            args = list(node.args) + [k.value for k in node.keywords]
            if name in ("NotFoundError", "AmbiguousNameError") and node.args:
                args = args[1:]  # `what` ("kind of body") names the message: checked below
            for arg in args:
                text = _texts(arg)
                if text is not None:
                    found.append((relative, node.lineno, name, text))
    return found


def test_no_raise_site_builds_an_english_sentence():
    sentences = []
    used_internal = set()
    for relative, line, call, text in _message_literals():
        if any(relative.startswith(prefix) for prefix in OTHER_WORK):
            continue
        if not SENTENCE.search(text.replace("{}", "")):
            continue
        allowed = next((key for key in INTERNAL if key[0] == relative and text.startswith(key[1])), None)
        if allowed:
            used_internal.add(allowed)
            continue
        sentences.append(f"{relative}:{line} {call}({text!r})")
    assert sentences == [], "use a message key of benchmark/locales/*/errors.toml instead"
    assert used_internal == set(INTERNAL), "stale entries in INTERNAL"


# Progress lines that only developers and the command line see, in English: file -> why.
ENGLISH_STEPS = {
    "benchmark/perf.py": "the performance harness is a developer tool",
    "benchmark/loadtest.py": "the load test is a developer tool; its progress lines are for the person running it",
    "benchmark/scale.py": "the synthetic scale data is made from the command line (`demo --scale`), for testing",
}


def _note_literals() -> list[tuple[str, int, str, str]]:
    """(file, line, call, text) of every literal text added to an import's notes or said as a step of it.

    Notes: `notes.append(…)`, `parsed.notes.append(…)`, `notes.extend(…)`, `notes += …`; steps:
    `say(…)` and `progress(…)` (imports.plan_import). Literals inside a list or tuple count too.
    """
    def literals(node: ast.expr) -> list[str]:
        if isinstance(node, (ast.List, ast.Tuple)):
            return [text for item in node.elts for text in literals(item)]
        text = _texts(node)
        return [] if text is None else [text]

    def is_notes(node: ast.expr) -> bool:
        return (isinstance(node, ast.Name) and node.id == "notes") or (
            isinstance(node, ast.Attribute) and node.attr == "notes")

    found = []
    for path in sorted((ROOT / "benchmark").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr in ("append", "extend", "insert") \
                        and is_notes(func.value):
                    call = f"notes.{func.attr}"
                elif isinstance(func, ast.Name) and func.id in ("say", "progress") and relative not in ENGLISH_STEPS:
                    call = func.id
                else:
                    continue
                args = [*node.args, *(k.value for k in node.keywords)]
            elif isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add) and is_notes(node.target):
                call, args = "notes +=", [node.value]
            else:
                continue
            found.append((relative, node.lineno, call, ""))  # the call itself, to count the places
            found += [(relative, node.lineno, call, text) for arg in args for text in literals(arg)]
    return found


def test_no_import_note_or_progress_step_is_an_english_sentence():
    found = _note_literals()
    # Every place that adds a note or says a step is seen (the scan would otherwise pass vacuously).
    assert len({(relative, line) for relative, line, _, _ in found}) >= 35
    assert any(call == "say" for _, _, call, _ in found)
    sentences = [f"{relative}:{line} {call}({text!r})" for relative, line, call, text in found
                 if SENTENCE.search(text.replace("{}", ""))]
    assert sentences == [], 'use Message("note.<key>", …) with a text of benchmark/locales/*/notes.toml'


def test_a_real_import_note_reads_in_the_language():
    posts = ("\ufeff\"Post ID\",\"Page ID\",\"Page name\",Title,\"Publish time\",\"Post type\",Date,Views,Reach,"
             "Reactions,Comments,Shares\n"
             "111,4242,\"Kulturhuset Fyren\",Hej,\"03/05/2026 09:42\",Photos,Lifetime,1200,80,5,1,0\n"
             ",,,,,,,,,,,\n"
             "222,4242,\"Kulturhuset Fyren\",Hej,\"03/06/2026 11:00\",Photos,Lifetime,50,40,2,0,0\n").encode()
    parsed = open_export("posts.csv", posts)
    (blank,) = [note for note in parsed.notes if "blank row" in note]
    assert blank == "skipped 1 blank row(s)"  # str: the English text, as the command line and the log show it
    assert i18n.localise(blank, "sv") == "hoppade över tomma rader: 1"
    assert i18n.localise(blank, "da") == "sprang tomme rækker over: 1"
    pacific = next(note for note in parsed.notes if "Pacific" in note)
    assert i18n.localise(pacific, "sv") == "publiceringstiderna i Metas exporter är i amerikansk Stillahavstid; " \
                                           "de sparas i UTC"
    # Parts of a note come out in the same language; a sheet's name from the user's file stays as written.
    where = Message("note.where.sheet", sheet="Innehåll")
    assert i18n.localise(Message("note.linkedin_read.content", where=where), "sv") == \
        "Läste bladet 'Innehåll' som LinkedIn-statistik för innehåll per dag."
    assert i18n.localise(Message("note.repeated_posts", count=Number(1234)), "sv") == \
        "hoppade över 1\u00a0234 rader som upprepar ett redan läst inlägg med samma siffror"
    # Every note of the file reads in Swedish, none is left in English.
    assert all(i18n.localise(note, "sv") != note for note in parsed.notes)


def test_every_key_the_code_names_exists():
    missing = [f"{relative}:{line} {call}({text!r})" for relative, line, call, text in _message_literals()
               if KEY.fullmatch(text) and not text.startswith(("error.",)) and "." in text
               and not any(relative.startswith(prefix) for prefix in OTHER_WORK)
               and not i18n.has_error_key(text) and not _is_other_key(text)]
    assert missing == []


def _is_other_key(text: str) -> bool:
    """A key of the common catalogue (`Term("country.SE")`) or a file name such as `Totals.csv`."""
    return text in i18n.catalogue("en") or text.endswith((".csv", ".xlsx", ".xls"))


def test_every_not_found_what_has_its_message():
    whats = set()
    for path in sorted((ROOT / "benchmark").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("NotFoundError", "AmbiguousNameError") and node.args
                    and isinstance(node.args[0], ast.Constant)):
                whats.add((node.func.id, node.args[0].value))
    assert len(whats) >= 12
    prefix = {"NotFoundError": "not_found", "AmbiguousNameError": "ambiguous"}
    assert [w for w in sorted(whats)
            if not i18n.has_error_key(f"{prefix[w[0]]}.{w[1].replace(' ', '_')}")] == []


def test_keys_built_from_code_tables_exist():
    from benchmark.importers import reading, reading_text
    from benchmark.importers.formats import linkedin, meta_posts
    from benchmark.vocabulary import KINDS

    built = [f"reading.kind.{what}" for _, what in reading._MAGIC]
    built += [f"reading.damaged_kind.{kind}" for kind in ("csv", "xlsx", "xls", "spreadsheetml")]
    built += [f"reading.delimiter.{name}" for name in reading_text._DELIMITER_NAMES.values()]
    built += [f"format.headers_language.{language.lower()}" for language in meta_posts.LANGUAGES]
    built += [f"format.linkedin_sheet.{title}" for title in linkedin.SHEET_TITLES.values()]
    built += [f"word.kind.{kind}" for kind in KINDS]
    built += [f"needs.period_no_{what}s" for what in ("post", "tweet", "video")]  # importers/posts.py
    built += [f"note.{note}.{what}" for note in ("name_range_outside", "each_account_range", "first_last_range")
              for what in ("post", "tweet", "video")]  # importers/posts.py
    built += [f"note.linkedin_read.{kind}" for kind in ("content", "visitors", "followers", "posts")]
    assert [key for key in built if not i18n.has_error_key(key)] == []


def test_the_error_module_documents_how_to_raise():
    assert 'ValidationError("watch_list.too_long"' in (errors.__doc__ or "")
