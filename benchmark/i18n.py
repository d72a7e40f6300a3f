"""Four languages from one message catalogue per language, and Nordic number formatting.

The catalogue of a language is every `benchmark/locales/<lang>/*.toml` file, flattened to dotted
keys (`[ranking] title = "…"` is `ranking.title`); a key defined twice is an error. English texts
that the project already holds as data (metric and measure labels, platforms, countries, kinds of
body) are not repeated in `locales/en`: they are taken from `metrics.py` and `vocabulary.py`, so
each is written once, and the other languages translate them under the same keys.
`tests/unit/test_i18n.py` fails when any language lacks a key another has, or a translation drops
or invents a `{placeholder}`.

Numbers are formatted here, not by the browser, because the page's language is the user's choice
and need not be the browser's: Swedish `17 000` and `7,5 %`, Danish `17.000` and `7,5 %`, Norwegian
`17 000` and `7,5 %`, English `17,000` and `7.5%` (the Nordic group separator and the space before
`%` are no-break spaces, so a number never wraps across lines).
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from .errors import NotFoundError

LANGUAGES: dict[str, str] = {"sv": "Svenska", "da": "Dansk", "nb": "Norsk bokmål", "en": "English"}
ENGLISH = "en"
LOCALES_DIR = Path(__file__).resolve().parent / "locales"
NBSP = "\u00a0"
PLACEHOLDER = re.compile(r"\{([a-z_][a-z_0-9]*)(?:[:!][^{}]*)?\}")


@dataclass(frozen=True)
class NumberStyle:
    group: str
    decimal: str
    percent: str  # how a percentage follows its number: "%" or no-break space + "%"


NUMBER_STYLES: dict[str, NumberStyle] = {
    "en": NumberStyle(",", ".", "%"),
    "sv": NumberStyle(NBSP, ",", NBSP + "%"),
    "da": NumberStyle(".", ",", NBSP + "%"),
    "nb": NumberStyle(NBSP, ",", NBSP + "%"),
}


def check_language(lang: str) -> str:
    """`lang` if it is one of LANGUAGES, else a NotFoundError naming the four."""
    if lang in LANGUAGES:
        return lang
    raise NotFoundError("language", str(lang), list(LANGUAGES))


def language_from_locale(locale: str | None) -> str | None:
    """The UI language for a browser locale such as `sv-SE`, `nn-NO` or `en-GB`; None if not ours.

    Nynorsk and the bare `no` are shown in bokmål, the written standard our catalogue has.
    """
    if not locale:
        return None
    primary = re.split(r"[-_]", locale.strip().lower(), maxsplit=1)[0]
    if primary in ("nb", "nn", "no"):
        return "nb"
    return primary if primary in LANGUAGES else None


def _flatten(table: Mapping[str, object], prefix: str, into: dict[str, str], origin: str) -> None:
    for key, value in table.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping):
            _flatten(value, full + ".", into, origin)
        elif isinstance(value, str):
            if full in into:
                raise ValueError(f"message {full!r} is defined twice ({origin})")
            into[full] = value
        else:
            raise ValueError(f"message {full!r} in {origin} is not text")


def _builtin_english() -> dict[str, str]:
    """English texts the project keeps as data elsewhere, under their catalogue keys."""
    from .auth import ACTIONS
    from .metrics import MEASURES, METRICS
    from .vocabulary import COUNTRIES, KIND_PLURALS, KINDS, PLATFORMS

    messages: dict[str, str] = {}
    for metric in METRICS:
        messages[f"metric.{metric.id}.label"] = metric.label
        messages[f"metric.{metric.id}.unit"] = metric.unit
        messages[f"metric.{metric.id}.formula"] = metric.formula
        messages[f"metric.{metric.id}.explanation"] = metric.explanation
    for measure in MEASURES:
        messages[f"measure.{measure.id}.label"] = measure.label
        messages[f"measure.{measure.id}.description"] = measure.description
    for table, prefix in ((PLATFORMS, "platform"), (COUNTRIES, "country"), (KINDS, "kind"), (KIND_PLURALS, "kind_plural")):
        for key, value in table.items():
            messages[f"{prefix}.{key}"] = value
    for action in ACTIONS.values():
        messages[f"error.auth.action.{action.id}"] = action.description
    return messages


@cache
def catalogue(lang: str) -> Mapping[str, str]:
    """Every message of a language, by dotted key."""
    check_language(lang)
    messages: dict[str, str] = _builtin_english() if lang == ENGLISH else {}
    folder = LOCALES_DIR / lang
    for path in sorted(folder.glob("*.toml")):
        with path.open("rb") as handle:
            _flatten(tomllib.load(handle), "", messages, f"{lang}/{path.name}")
    return messages


def text(key: str, lang: str, /, **params: object) -> str:
    """The message `key` in `lang`, with its `{placeholders}` filled from `params`.

    A key the language lacks falls back to English (the catalogue test keeps that from happening
    in a release); a key English lacks is a programming error and raises KeyError.
    """
    messages = catalogue(lang)
    template = messages.get(key)
    if template is None:
        template = catalogue(ENGLISH)[key]
    return template.format(**params) if params else template


def error_text(error: BaseException, lang: str) -> str:
    """The message of an error in `lang`: its catalogue text when it carries a `key`, else `str(error)`.

    The parts of the message (a reason, suggestions, the rows of a refused file) come out in the
    same language: see `render_error`.
    """
    key = getattr(error, "key", None)
    if key and has_error_key(key):
        return render_error(key, lang, getattr(error, "params", None) or {})
    return str(error)


def has_error_key(key: str) -> bool:
    """Whether the catalogue has the message `error.<key>`."""
    return f"error.{key}" in catalogue(ENGLISH)


def render_error(key: str, lang: str, params: Mapping[str, object]) -> str:
    """The message `error.<key>` in `lang`, each parameter rendered in `lang` too (`localise`)."""
    template = catalogue(lang).get(f"error.{key}")
    if template is None:
        template = catalogue(ENGLISH)[f"error.{key}"]
    return template.format(**{name: localise(value, lang) for name, value in params.items()})


def localise(value: object, lang: str) -> object:
    """A part of a message in `lang`: a `Message`, `Joined`, `Number` or error rendered, anything else as it is.

    Also for showing the parts an error keeps as attributes, e.g. a refused file's problems
    (`localise(problem.row, lang)`, `localise(problem.expected, lang)`) or its format label.
    """
    from .errors import Localised

    if isinstance(value, Localised):
        return value.render(lang)
    if isinstance(value, BaseException) and getattr(value, "key", None):
        return error_text(value, lang)
    return value


def format_with(value: float, spec: str, lang: str) -> str:
    """`format(value, spec)` with the language's decimal mark and digit grouping (`10 001`, `0,105`)."""
    style = NUMBER_STYLES[check_language(lang)]
    body = format(value, spec)
    return body.replace(",", "\0").replace(".", style.decimal).replace("\0", style.group)


def placeholders(template: str) -> set[str]:
    return set(PLACEHOLDER.findall(template))


# ---------------------------------------------------------------------------------------------
# Numbers and dates


def _is_missing(value: object) -> bool:
    """None, NaN and pandas' NA (which refuses float() and comparisons)."""
    if value is None or type(value).__name__ == "NAType":
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def format_number(value: object, lang: str, decimals: int = 0, *, signed: bool = False, missing: str = "–") -> str:
    """`17 000`, `17.000` or `17,000`; `signed` puts a `+` before positive numbers."""
    if _is_missing(value):
        return missing
    style = NUMBER_STYLES[check_language(lang)]
    number = round(float(value), decimals)  # type: ignore[arg-type]
    if number == 0:
        number = 0.0  # no "-0,0" for a change that rounds to nothing
    body = f"{abs(number):,.{decimals}f}"
    # Swap through a marker so "," and "." can trade places.
    body = body.replace(",", "\0").replace(".", style.decimal).replace("\0", style.group)
    sign = "-" if number < 0 else ("+" if signed and number > 0 else "")
    return sign + body


def format_percent(value: object, lang: str, decimals: int = 1, *, signed: bool = False, missing: str = "–") -> str:
    """A value already in per cent: 7.5 → `7,5 %` (sv, da, nb) or `7.5%` (en)."""
    if _is_missing(value):
        return missing
    return format_number(value, lang, decimals, signed=signed) + NUMBER_STYLES[lang].percent


def format_metric(metric_id: str, value: object, lang: str, *, signed: bool = False, missing: str = "–") -> str:
    """A metric's value with its decimals, and `%` for percentages."""
    from .metrics import get_metric

    metric = get_metric(metric_id)
    if metric.unit == "%":
        return format_percent(value, lang, metric.decimals, signed=signed, missing=missing)
    return format_number(value, lang, metric.decimals, signed=signed, missing=missing)


def format_date(day: date, lang: str) -> str:
    """`23 Nov 2026` (en), `23 nov. 2026` (sv), `23. nov. 2026` (da, nb)."""
    month = text(f"month.short.{day.month}", lang)
    return text("date.day_month_year", lang, day=day.day, month=month, year=day.year)


def format_date_range(start: date, end: date, lang: str) -> str:
    return f"{format_date(start, lang)} – {format_date(end, lang)}"


def vega_locale(lang: str) -> dict[str, object]:
    """The d3-format number locale of a language, for Vega-Lite's `config.locale`.

    Charts then show axis ticks and tooltips the same way as the tables and the exports.
    """
    style = NUMBER_STYLES[check_language(lang)]
    return {
        "number": {
            "decimal": style.decimal,
            "thousands": style.group,
            "grouping": [3],
            "currency": ["", ""],
            "percent": style.percent,
            "minus": "-",
        }
    }
