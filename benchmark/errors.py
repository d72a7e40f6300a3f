"""Named errors that carry what the user needs to fix the problem, in the reader's language.

Every message is a text of the catalogue (`benchmark/locales/<lang>/errors.toml`, under `[error]`),
named by a key and filled with parameters, so a raise site stays one line:

    raise ValidationError("watch_list.too_long", name=name, count=len(members), limit=MAX_WATCHED)

`str(error)` is the English text (what the command line and the logs show);
`i18n.error_text(error, lang)` is the same message in Swedish, Danish, Norwegian or English.
A message made of parts keeps its parts as parameters that are rendered in the same language:
a `Message` (another catalogue text with its own parameters, such as the reason inside a
`PeriodError` or the row a problem is in), `Joined` (a list of such parts: suggestions, the
problems of a file), `Number` (a number written the language's way) or another error. Any other
parameter (a name, a cell from the user's file) is shown as it is and never translated.
The parts an error keeps as attributes (a problem's `row` and `expected`, a file's
`format_label`) are `Message`s too: `i18n.localise(part, lang)` shows one on its own.

A text that is no catalogue key is shown as written, in English: the fallback for code that
still passes a sentence (tests/unit/test_error_messages.py keeps the project's own code from
doing so). None of these should ever reach a user as a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Self


class Localised:
    """Text that can be shown in any of the four languages."""

    __slots__ = ()

    def render(self, lang: str) -> str:
        raise NotImplementedError


def is_message_key(text: object) -> bool:
    """Whether `text` names a message of the catalogue (`error.<text>` in English)."""
    from .i18n import has_error_key

    return isinstance(text, str) and not isinstance(text, Message) and has_error_key(text)


class Message(str, Localised):
    """The catalogue text `error.<key>` with its parameters; as a `str` it is the English text.

    Being a `str`, it can stand wherever the code used to keep an English sentence (a reason, an
    `expected`, a format's label) and still be rendered in another language as a parameter.
    """

    key: str
    params: dict[str, Any]

    def __new__(cls, key: str, /, **params: Any) -> Self:
        from .i18n import render_error

        self = super().__new__(cls, render_error(key, "en", params))
        self.key = key
        self.params = params
        return self

    def render(self, lang: str) -> str:
        from .i18n import render_error

        return render_error(self.key, lang, self.params)

    def __reduce__(self) -> tuple[Any, ...]:  # pickling and copying rebuild from the key
        return (_rebuild, (type(self), self.key, self.params))


def _rebuild(cls: type[Message], key: str, params: dict[str, Any]) -> Message:
    return cls(key, **params)


class Term(Message):
    """A text of the common catalogue by its full key (`country.SE`, `platform.facebook`)."""

    def __new__(cls, key: str, /, **params: Any) -> Self:
        from .i18n import text

        self = str.__new__(cls, text(key, "en", **params))
        self.key = key
        self.params = params
        return self

    def render(self, lang: str) -> str:
        from .i18n import text

        return text(self.key, lang, **self.params)


def message(text: str, /, **params: Any) -> str:
    """`text` as a `Message` when it is a catalogue key, else as it is (an English sentence, a `Message`)."""
    return Message(text, **params) if is_message_key(text) else text


class Joined(Localised):
    """Parts shown in one language, each as `each` (e.g. `"  - {}"`), between `separator`s."""

    __slots__ = ("each", "parts", "separator")

    def __init__(self, parts: Iterable[object], separator: str = ", ", each: str = "{}") -> None:
        self.parts = tuple(parts)
        self.separator = separator
        self.each = each

    def render(self, lang: str) -> str:
        from .i18n import localise

        return self.separator.join(self.each.format(localise(part, lang)) for part in self.parts)

    def __str__(self) -> str:
        return self.render("en")

    def __repr__(self) -> str:
        return f"Joined({self.parts!r}, {self.separator!r})"


def quoted(names: Iterable[object], separator: str = ", ") -> str:
    """Names as the user wrote or the registry spells them, quoted: `'Region Skåne', 'Laxå'`."""
    return separator.join(repr(str(name)) for name in names)


class Number(Localised):
    """A number written the language's way: `spec` is a format spec as for `format()` (`","`, `".3g"`)."""

    __slots__ = ("spec", "value")

    def __init__(self, value: float, spec: str = ",") -> None:
        self.value = value
        self.spec = spec

    def render(self, lang: str) -> str:
        from .i18n import format_with

        return format_with(self.value, self.spec, lang)

    def __str__(self) -> str:
        return self.render("en")

    def __repr__(self) -> str:
        return f"Number({self.value!r}, {self.spec!r})"


class BenchmarkError(Localised, Exception):
    """Base class: a problem the user can fix, with a plain-language message.

    `BenchmarkError(key, **params)` with `key` a message of the catalogue; any other text is
    taken as the (English-only) message itself.
    """

    key: str | None
    params: dict[str, Any]

    def __init__(self, key: str, /, **params: Any) -> None:
        if is_message_key(key):
            from .i18n import render_error

            self.key, self.params = key, params
            text = render_error(key, "en", params)
        else:
            self.key, self.params = None, {}
            text = str(key)
        super().__init__(text)

    def render(self, lang: str) -> str:
        if self.key is None:
            return str(self)
        from .i18n import render_error

        return render_error(self.key, lang, self.params)

    __str__ = Exception.__str__


def _slug(what: str) -> str:
    return what.strip().lower().replace(" ", "_")


class DatabaseInUseError(BenchmarkError):
    def __init__(self, path: object) -> None:
        super().__init__("database.in_use", path=path)
        self.path = path


class DatabaseMissingError(BenchmarkError):
    def __init__(self, path: object) -> None:
        super().__init__("database.missing", path=path)
        self.path = path


class DatabaseNotInitialisedError(BenchmarkError):
    def __init__(self, path: object) -> None:
        super().__init__("database.not_initialised", path=path)
        self.path = path


class SchemaOutdatedError(BenchmarkError):
    def __init__(self, path: object, version: int, current: int) -> None:
        super().__init__("database.schema_outdated", path=path, version=version, current=current)
        self.path = path
        self.version = version


class NotFoundError(BenchmarkError):
    """A name (organisation, platform, metric, group, watch list) that matches nothing.

    `what` says what was looked for ("organisation", "kind of body"); its message is
    `not_found.<what with underscores>`, or `not_found.other` naming `what` in English.
    """

    def __init__(self, what: str, value: str, suggestions: list[str] | tuple[str, ...] = ()) -> None:
        key = f"not_found.{_slug(what)}"
        hint = Message("hint.did_you_mean", suggestions=quoted(suggestions)) if suggestions else ""
        if is_message_key(key):
            super().__init__(key, value=value, hint=hint)
        else:
            super().__init__("not_found.other", what=what, value=value, hint=hint)
        self.what = what
        self.value = value
        self.suggestions = list(suggestions)


class AmbiguousNameError(BenchmarkError):
    """A name that several things share; `candidates` describe them (texts or `Message`s)."""

    def __init__(self, what: str, value: str, candidates: list[str], example: str = "SE:1281") -> None:
        key = f"ambiguous.{_slug(what)}"
        shown = Joined(candidates, "; ")
        if is_message_key(key):
            super().__init__(key, value=value, candidates=shown, example=example)
        else:
            super().__init__("ambiguous.other", what=what, value=value, candidates=shown, example=example)
        self.what = what
        self.value = value
        self.candidates = candidates


class PeriodError(BenchmarkError):
    """A period that cannot be read: `reason` is a message key (with `params`) or a `Message`."""

    def __init__(self, value: str, reason: str, /, **params: Any) -> None:
        self.value = value
        self.reason = message(reason, **params)
        super().__init__("period.unreadable", value=value, reason=self.reason)


class ValidationError(BenchmarkError):
    """A value that breaks a rule, e.g. a watch list that is too long."""


class SettingError(ValidationError, ValueError):
    """A setting (an environment variable) with a value the tool cannot use."""
