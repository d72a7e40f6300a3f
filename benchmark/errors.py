"""Named errors that carry what the user needs to fix the problem.

The command line and the pages show `str(error)` as a one-line message; none of
these should ever reach a user as a traceback.
"""

from __future__ import annotations


class BenchmarkError(Exception):
    """Base class: a problem the user can fix, with a plain-language message."""


class DatabaseInUseError(BenchmarkError):
    def __init__(self, path: object) -> None:
        super().__init__(
            f"the database {path} is open in another process (probably the dashboard); "
            "stop that process or pass another file with --db"
        )
        self.path = path


class DatabaseMissingError(BenchmarkError):
    def __init__(self, path: object) -> None:
        super().__init__(
            f"the database {path} does not exist; create it with `benchmark --db {path} init` "
            f"(then `benchmark --db {path} demo` for the demo data)"
        )
        self.path = path


class DatabaseNotInitialisedError(BenchmarkError):
    def __init__(self, path: object) -> None:
        super().__init__(
            f"the database {path} has no benchmark tables yet; run `benchmark --db {path} init` first"
        )
        self.path = path


class SchemaOutdatedError(BenchmarkError):
    def __init__(self, path: object, version: int, current: int) -> None:
        super().__init__(
            f"the database {path} has schema version {version}; this version of the tool uses {current} "
            "and upgrades it when it opens the file (stop other processes using it first)"
        )
        self.path = path
        self.version = version


class NotFoundError(BenchmarkError):
    """A name (organisation, platform, metric, group, watch list) that matches nothing."""

    def __init__(self, what: str, value: str, suggestions: list[str] | tuple[str, ...] = ()) -> None:
        message = f"unknown {what} {value!r}"
        if suggestions:
            message += "; did you mean " + ", ".join(repr(s) for s in suggestions) + "?"
        super().__init__(message)
        self.what = what
        self.value = value
        self.suggestions = list(suggestions)


class AmbiguousNameError(BenchmarkError):
    def __init__(self, what: str, value: str, candidates: list[str], example: str = "SE:1281") -> None:
        super().__init__(
            f"{what} {value!r} matches several: " + "; ".join(candidates) + f"; use the code instead, e.g. {example}"
        )
        self.what = what
        self.value = value
        self.candidates = candidates


class PeriodError(BenchmarkError):
    def __init__(self, value: str, reason: str) -> None:
        super().__init__(
            f"cannot read period {value!r}: {reason}; write it as 2024-Q3, 2024-07, 2024-W27, 2024, "
            "2024-W27..2024-W39 (whole weeks) "
            "or 2024-07-01..2024-09-30"
        )
        self.value = value
        self.reason = reason


class ValidationError(BenchmarkError):
    """A value that breaks a rule, e.g. a watch list that is too long."""
