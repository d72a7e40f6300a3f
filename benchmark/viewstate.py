"""The state of a view as plain text: what a shared link, a saved deck slide and an export describe.

A `ViewState` names everything a view shows in the users' own identifiers (organisation codes such as
`SE:1880`, group specs such as `region:SE`, period labels such as `2025-Q3`), so the same value
round-trips through a URL query string, a row of `deck_slides` and the command line.

Parsing is strict and never evaluates anything: each parameter must match its own pattern or closed
list, an unknown parameter or a malformed value is *reported* (`ParsedState.problems`) and left out,
so the page falls back to its default for it. Whether a well-formed value names something that
exists (an organisation, a saved watch list) is checked where the store is at hand
(`resolve`, below), with the same reporting.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from urllib.parse import parse_qsl, urlencode

from .errors import BenchmarkError, Message
from .i18n import LANGUAGES
from .metrics import METRIC_IDS
from .periods import parse_period
from .vocabulary import PLATFORMS

PAGES = ("watch", "ranking", "profile")  # the views a link, a slide or an export can name
MAX_SLIDE = 999
EVERY = ("month", "quarter", "year")
MAX_WATCHED_IN_LINK = 200
MAX_VALUE_LENGTH = 200

_ORG_CODE = re.compile(r"^[A-Z]{2}:[0-9A-Za-z][0-9A-Za-z._-]{0,39}$")
# KIND:COUNTRY, in:AREA or a watch list's name: printable text without control characters.
_GROUP = re.compile(rf"^[^\x00-\x1f\x7f]{{1,{MAX_VALUE_LENGTH}}}$")


@dataclass(frozen=True)
class ViewState:
    """One view, as a link or a deck slide names it. None means "the page's default"."""

    page: str = "watch"
    org: str | None = None  # your organisation, COUNTRY:CODE
    group: str | None = None  # peer group spec (ranking, profile)
    watch: tuple[str, ...] | None = None  # watched organisations (Pages to watch), COUNTRY:CODE each
    platform: str | None = None
    period: str | None = None  # watch, ranking: a period label
    metric: str | None = None  # ranking, profile
    every: str | None = None  # profile: month, quarter or year
    first: str | None = None  # profile: first period label
    last: str | None = None  # profile: last period label
    lang: str | None = None
    deck: str | None = None  # presentation mode: the deck shown
    slide: int | None = None  # presentation mode: its slide, from 1

    def to_query(self) -> dict[str, str]:
        """The URL query parameters, in a fixed order, without the page and without defaults."""
        query: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "page" or value is None:
                continue
            query[PARAM_OF[f.name]] = ",".join(value) if isinstance(value, tuple) else str(value)
        return query

    def to_query_string(self) -> str:
        """`page=ranking&org=SE%3A1880&…`: the page included, for a deck slide or a CLI round trip."""
        return urlencode({"page": self.page, **self.to_query()})


# The URL's parameter names: short, stable, and `from`/`to` rather than Python's `first`/`last`.
PARAM_OF = {"page": "page", "org": "org", "group": "group", "watch": "watch", "platform": "platform",
            "period": "period", "metric": "metric", "every": "every", "first": "from", "last": "to",
            "lang": "lang", "deck": "deck", "slide": "slide"}
FIELD_OF = {param: name for name, param in PARAM_OF.items()}

# What each parameter means, with an example: docs/links.md is generated from this table.
PARAMETER_HELP: dict[str, tuple[str, str, str]] = {
    "org": ("watch, ranking, profile", "your organisation, as COUNTRY:CODE (`benchmark report … --organisation` takes the same)", "SE:1880"),
    "group": ("ranking, profile; watch", ("the peer group: KIND:COUNTRY, in:COUNTY or a saved watch list; on Pages to "
                                          "watch, the saved watch list the peers come from"), "region:SE"),
    "watch": ("watch", ("the watched organisations, COUNTRY:CODE separated by commas, when they differ from the list's "
                        f"(at most {MAX_WATCHED_IN_LINK})"), "SE:01,SE:12"),
    "platform": ("watch, ranking, profile", "the platform: " + ", ".join(PLATFORMS), "facebook"),
    "period": ("watch, ranking", "the period: a year, quarter, month, ISO week, whole weeks or a date range", "2025-Q3"),
    "metric": ("ranking, profile", "a metric id (see docs/metrics.md)", "engagement_rate_by_follower"),
    "every": ("profile", "the profile's step: " + ", ".join(EVERY), "quarter"),
    "from": ("profile", "the profile's first period", "2024-Q1"),
    "to": ("profile", "the profile's last period", "2025-Q3"),
    "lang": ("all", "the language: " + ", ".join(LANGUAGES), "sv"),
    "deck": ("present", "the saved deck to present", "Nätverksmöte december"),
    "slide": ("present", f"the slide shown, from 1 (at most {MAX_SLIDE}); without it the deck's slide list", "3"),
}


@dataclass(frozen=True)
class ParsedState:
    state: ViewState
    problems: tuple[Message, ...] = field(default=())  # English as str; i18n.localise for another language


def _check_period(value: str) -> Message | BenchmarkError | None:
    try:
        parse_period(value)
    except BenchmarkError as exc:
        return exc  # rendered in the reader's language with the rest of the message
    return None


def _problem(param: str, value: str, why: object) -> Message:
    shown = value if len(value) <= 60 else value[:57] + "…"
    return Message("link.ignored", param=param, value=shown, why=why)


def parse_query(params: Mapping[str, str | Iterable[str]] | str, page: str | None = None) -> ParsedState:
    """A ViewState from URL query parameters (a mapping, or a query string); problems reported, not raised.

    `page` is the page the link opened (from the URL path); a `page` parameter, as a deck slide
    stores it, is used when `page` is not given.
    """
    if isinstance(params, str):
        pairs = parse_qsl(params.lstrip("?"), keep_blank_values=True, max_num_fields=64)
    else:
        pairs = []
        for key, value in params.items():
            values = [value] if isinstance(value, str) else list(value)
            pairs.extend((key, v) for v in values)
    problems: list[Message] = []
    seen: dict[str, str] = {}
    for key, value in pairs:
        if key not in FIELD_OF:
            problems.append(_problem(key, value, Message("link.unknown_parameter", names=", ".join(PARAM_OF.values()))))
        elif key in seen:
            problems.append(_problem(key, value, Message("link.repeated")))
        else:
            seen[key] = value
    values: dict[str, object] = {}
    for param, raw in seen.items():
        name = FIELD_OF[param]
        value = raw.strip()
        if len(value) > (MAX_VALUE_LENGTH if name != "watch" else 16 * MAX_WATCHED_IN_LINK):
            problems.append(_problem(param, value, Message("link.too_long")))
            continue
        why = _why_invalid(name, value)
        if why:
            problems.append(_problem(param, value, why))
            continue
        if name == "watch":
            values[name] = tuple(v.strip().upper() for v in value.split(",") if v.strip())
        elif name == "slide":
            values[name] = int(value)
        elif name == "org":
            values[name] = value.upper()
        else:
            values[name] = value
    if page is not None:
        values["page"] = page
    values.setdefault("page", "watch")
    return ParsedState(ViewState(**values), tuple(problems))  # type: ignore[arg-type]


def _why_invalid(name: str, value: str) -> Message | BenchmarkError | None:
    """Why `value` cannot be the field `name`, or None when it is well-formed."""
    if name == "page":
        return None if value in (*PAGES, "present") else Message("link.pages", names=", ".join(PAGES))
    if name == "org":
        return None if _ORG_CODE.match(value.upper()) else Message("link.org_code")
    if name == "group":
        return None if _GROUP.match(value) else Message("link.not_group")
    if name == "watch":
        codes = [v.strip() for v in value.split(",") if v.strip()]
        if len(codes) > MAX_WATCHED_IN_LINK:
            return Message("link.too_many_watched", limit=MAX_WATCHED_IN_LINK)
        bad = [c for c in codes if not _ORG_CODE.match(c.upper())]
        return None if not bad else Message("link.watch_code", code=bad[0])
    if name == "platform":
        return None if value in PLATFORMS else Message("link.platforms", names=", ".join(PLATFORMS))
    if name in ("period", "first", "last"):
        return _check_period(value)
    if name == "metric":
        return None if value in METRIC_IDS else Message("link.not_metric")
    if name == "every":
        return None if value in EVERY else Message("link.every")
    if name == "deck":
        return None if _GROUP.match(value) else Message("link.not_deck")
    if name == "slide":
        ok = value.isascii() and value.isdigit() and 1 <= int(value) <= MAX_SLIDE
        return None if ok else Message("link.slide", limit=MAX_SLIDE)
    if name == "lang":
        return None if value in LANGUAGES else Message("link.languages", names=", ".join(LANGUAGES))
    raise AssertionError(f"no rule for link field {name}")
