"""Names read from files (pages, accounts, organisations, post titles): one clean form, and look-alikes.

Every name a format reads goes through `clean_name` when its `AccountRef` or
`Post` is made, so the rest of the program sees one form only:

* Unicode NFC: `Malmö` typed as `o` + combining diaeresis (NFD, as macOS
  writes it) is the same name as `Malmö` with the precomposed letter.
* Removed: invisible format characters (zero-width space, zero-width
  non-joiner, word joiner, byte-order mark, soft hyphen, the bidirectional
  controls that can turn a name around on screen), lone surrogates and the
  non-characters U+FFFE/U+FFFF. A zero-width joiner stays only inside an emoji
  sequence (👨‍👩‍👧), where it is part of the picture.
* Control characters that separate (tab, line breaks, `\\x0b`, `\\x0c`,
  `\\x1c`–`\\x1f`) and every other kind of space become one plain space; the
  other control characters (NUL, `\\x01`–`\\x08`, DEL, C1) are removed. Runs of
  spaces become one and the ends are trimmed. XML (the .xlsx and .pptx exports)
  cannot hold most control characters, so no stored name can make an export fail.

Look-alikes: a name spelt with letters of another alphabet that look like
Latin ones (`Mаlmö` with a Cyrillic `а`, `Ροlisen` with Greek letters) is a
different name, never the same page or organisation as the Latin one. Names
with any letter outside the Latin alphabet are therefore matched exactly
(`match_key`), not by the accent- and punctuation-blind `registry.name_key`
that would reduce them to their Latin letters only (and a name wholly in
another alphabet to nothing). `latin_look_alike` gives the Latin name such a
name imitates, so the import preview can say "possible look-alike of …"
instead of linking it silently.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from ..registry import name_key

# Invisible format characters (Unicode category Cf) that occur in copied names, surrogates and the
# two non-characters XML cannot hold. The zero-width joiner U+200D is handled apart (emoji sequences).
_DROP = re.compile("[\u00ad\u061c\u115f\u1160\u180e\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064"
                   "\u2066-\u206f\u3164\ufeff\ufff9-\ufffb\ufffe\uffff\ud800-\udfff]")
# A zero-width joiner not directly after an emoji or a variation selector.
_LOOSE_JOINER = re.compile("(?<![\u2190-\u2bff\ufe0f\U0001f000-\U0001faff])\u200d")
# Control characters that separate (tab, line breaks, \x0b, \x0c, \x1c-\x1f, NEL) and every other space
# (\s covers Zs, Zl, Zp) become a space; the others (NUL, \x01-\x08, \x0e-\x1b, DEL, C1) go.
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


def clean_name(text: str | None) -> str | None:
    """The name in its one stored form (see the module docstring); None stays None."""
    if text is None:
        return None
    if text.isascii() and text.isprintable():
        return " ".join(text.split())
    text = unicodedata.normalize("NFC", _LOOSE_JOINER.sub("", _CONTROL.sub("", _DROP.sub("", text))))
    return _SPACE.sub(" ", text).strip()


# -- scripts and look-alikes ------------------------------------------------------------------------

@lru_cache(maxsize=4096)
def _script(char: str) -> str:
    """The alphabet of a letter by its Unicode name: LATIN, CYRILLIC, GREEK … (a full-width or
    mathematical `Ｍ` is the Latin letter it is a form of, as `registry.name_key` reads it)."""
    base = unicodedata.normalize("NFKC", char)[:1] or char
    return unicodedata.name(base, "UNKNOWN").split(" ", 1)[0]


def scripts(name: str) -> set[str]:
    """The alphabets of the letters of a name (digits, punctuation and emoji have none)."""
    return {_script(ch) for ch in name if ch.isalpha()}


def is_latin(name: str) -> bool:
    """Whether every letter of the name is a Latin one (ä, ø, đ, ŋ and the other Nordic and Sami letters are)."""
    return name.isascii() or scripts(name) <= {"LATIN"}


def match_key(name: str | None) -> str:
    """The key two page names must share to be the same page.

    Latin names: `registry.name_key` (case, accents and punctuation do not count). Names with any
    other letter: the cleaned name, case-folded, marked so that it never equals a Latin key.
    """
    text = clean_name(name) or ""
    if is_latin(text):
        return name_key(text)
    return "\x00" + text.casefold()


# Letters of other alphabets that look like Latin letters (after Unicode's confusables list, the
# Cyrillic, Greek and Armenian letters a reader cannot tell from Latin ones in common fonts).
_LOOK_ALIKES = str.maketrans({
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "ë", "һ": "h", "і": "i", "ї": "ï", "ј": "j", "к": "k", "м": "m",
    "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "ԁ": "d", "ԛ": "q",
    "ԝ": "w", "ӏ": "l", "ү": "y",
    "А": "A", "В": "B", "Е": "E", "Ё": "Ë", "Н": "H", "І": "I", "Ї": "Ï", "Ј": "J", "К": "K", "М": "M",
    "О": "O", "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "Ԁ": "D", "Ԛ": "Q", "Ԝ": "W",
    "Ү": "Y", "Ӏ": "I",
    # Greek
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "ι": "i", "κ": "k", "υ": "u", "τ": "t", "χ": "x", "ε": "e",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # Armenian
    "օ": "o", "ս": "u", "ց": "g", "հ": "h", "ո": "n", "ա": "w", "Տ": "S", "Օ": "O",
})


def latin_look_alike(name: str | None) -> str | None:
    """The Latin name a name with letters of other alphabets imitates; None for a Latin name.

    `Mаlmö` (Cyrillic а) gives `Malmö`. A name that still has other letters after the
    replacement (real Cyrillic or Greek words) imitates nothing and gives None.
    """
    text = clean_name(name) or ""
    if is_latin(text):
        return None
    latin = unicodedata.normalize("NFC", unicodedata.normalize("NFD", text).translate(_LOOK_ALIKES))
    return latin if is_latin(latin) and name_key(latin) else None
