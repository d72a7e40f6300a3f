"""Settings, declared once as data.

Every setting has a name, the environment variable that sets it, a default and
a help text; `docs/settings.md` is generated from this table and a test fails
when the two drift apart.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import SettingError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "database",
        "BENCHMARK_DB",
        "data/benchmark.duckdb",
        "Path of the DuckDB file. The command line's `--db` wins over the variable; "
        "a relative default is taken from the project folder.",
    ),
    Setting(
        "max_upload_mb",
        "BENCHMARK_MAX_UPLOAD_MB",
        "50",
        "Largest file, in megabytes, that an import accepts; checked before the file is parsed. "
        "Keep `server.maxUploadSize` in `.streamlit/config.toml` at least as large.",
    ),
    Setting(
        "demo_on_empty",
        "BENCHMARK_DEMO_ON_EMPTY",
        "1",
        "When the dashboard starts on a database file that does not exist yet, create it "
        "with the registry and the synthetic demo data (`0` creates it with the registry only).",
    ),
    Setting(
        "default_organisation",
        "BENCHMARK_DEFAULT_ORGANISATION",
        "Region Örebro län",
        "The organisation the pages start with, by name, alias or COUNTRY:CODE, until the user picks another.",
    ),
    Setting(
        "default_language",
        "BENCHMARK_LANGUAGE",
        "en",
        "The language of the pages and exports (sv, da, nb or en) for a user whose browser asks for "
        "none of the four; the `lang` of a shared link and the user's own choice win over it.",
    ),
    Setting(
        "pptx_template",
        "BENCHMARK_PPTX_TEMPLATE",
        "",
        "A PowerPoint file (.pptx) whose slide masters and layouts the exported decks use, so they "
        "carry your organisation's design; empty: the built-in 16:9 design.",
    ),
    Setting(
        "access_file",
        "BENCHMARK_ACCESS_FILE",
        "access.toml",
        "The access file: which pages are open without sign-in, how people sign in, and the roles of "
        "single-sign-on users (see access.example.toml and docs/access.md); a relative path is taken "
        "from the project folder. Without the file, browsing is public and sign-in uses local accounts.",
    ),
    Setting(
        "sign_in_attempts",
        "BENCHMARK_SIGN_IN_ATTEMPTS",
        "5",
        "Failed sign-ins in a row after which a local account is locked (see `sign_in_lock_minutes` and "
        "docs/users.md); a successful sign-in starts the count again.",
    ),
    Setting(
        "sign_in_lock_minutes",
        "BENCHMARK_SIGN_IN_LOCK_MINUTES",
        "15",
        "How long, in minutes, a local account stays locked after too many failed sign-ins; while locked even "
        "the right password is refused. An administrator can lift it sooner (`benchmark user unlock NAME`).",
    ),
    Setting(
        "query_cache_seconds",
        "BENCHMARK_QUERY_CACHE_SECONDS",
        "600",
        "How long the dashboard keeps a computed table in memory; any import clears it sooner.",
    ),
    Setting(
        "duckdb_memory_limit",
        "BENCHMARK_DUCKDB_MEMORY_LIMIT",
        "2GB",
        "DuckDB's memory limit for this process, so that one heavy query cannot starve the machine.",
    ),
    Setting(
        "duckdb_threads",
        "BENCHMARK_DUCKDB_THREADS",
        "2",
        "Worker threads DuckDB may use per query.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> str:
    """The value of a setting: its environment variable if set and non-empty, else the default."""
    setting = _BY_NAME[name]
    value = os.environ.get(setting.env, "").strip()
    return value or setting.default


def database_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """`--db` if given, else BENCHMARK_DB, else data/benchmark.duckdb in the project folder."""
    if explicit:
        return Path(explicit).expanduser()
    env_value = os.environ.get(_BY_NAME["database"].env, "").strip()
    if env_value:
        return Path(env_value).expanduser()
    return PROJECT_ROOT / _BY_NAME["database"].default


def max_upload_bytes() -> int:
    """The upload size limit in bytes (setting `max_upload_mb`)."""
    raw = get("max_upload_mb")
    try:
        megabytes = float(raw)
    except ValueError:
        raise SettingError("setting.not_megabytes", variable=_BY_NAME["max_upload_mb"].env, value=raw) from None
    if megabytes <= 0:
        raise SettingError("setting.not_positive", variable=_BY_NAME["max_upload_mb"].env)
    return int(megabytes * 2**20)
