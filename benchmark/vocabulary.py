"""The closed lists the whole project agrees on: platforms, countries, kinds of body."""

from __future__ import annotations

PLATFORMS: dict[str, str] = {
    "facebook": "Facebook",
    "instagram": "Instagram",
    "linkedin": "LinkedIn",
    "x": "X",
    "youtube": "YouTube",
    "tiktok": "TikTok",
}

COUNTRIES: dict[str, str] = {
    "SE": "Sweden",
    "DK": "Denmark",
    "NO": "Norway",
    "FI": "Finland",
}

# "region" covers Swedish regions, Danish regions, Norwegian fylkeskommuner and
# Finnish wellbeing counties: the regional tier the users compare as one group.
KINDS: dict[str, str] = {
    "region": "Region",
    "municipality": "Municipality",
    "agency": "State agency",
}

KIND_PLURALS: dict[str, str] = {
    "region": "regions",
    "municipality": "municipalities",
    "agency": "state agencies",
}


def sql_list(values: object) -> str:
    """A SQL literal list of fixed vocabulary values for CHECK constraints (never user input)."""
    return "(" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + ")"  # type: ignore[attr-defined]
