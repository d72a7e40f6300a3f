#!/usr/bin/env python3
"""Build the organisation registry files in data/registry/ from ../shared/registry/.

    python scripts/build_registry.py [--shared ../shared/registry] [--out data/registry]

Standard library only. The output is deterministic: re-running the script on the
same inputs gives byte-identical files (no timestamps, fixed sort order, LF line
endings, UTF-8 without BOM). The inputs, their licences and known flaws are
described in ../shared/reference/registry.md; the per-file summary is written to
provenance.csv and docs/registry.md explains the result for analysts.

Every hand-made correction lives in one of the tables below, each with a comment
saying where it comes from. Everything else is derived mechanically.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO_ROOT.parent / "shared" / "registry"
DEFAULT_OUT = REPO_ROOT / "data" / "registry"

COLUMNS = (
    "country", "kind", "code", "name", "parent_code", "parent_name",
    "population", "population_date", "also_kinds", "aliases",
)
PROVENANCE_COLUMNS = (
    "file", "source", "source_detail", "statistics", "population_reference_date", "licence", "rows", "notes",
)

# Reference dates of the population figures (see registry.md, sections 1a, 2a, 3a, 4b).
POPULATION_DATE = {
    "SE": "2025-12-31",  # Kolada N01951 for 2025 = SCB population on 31 Dec 2025
    "DK": "2021-01-01",  # DST FOLK1A 2021K1 (first day of the quarter)
    "NO": "2024-01-01",  # inferred: the national sum 5,550,203 is SSB's 1 Jan 2024 figure
    "FI": "2022-12-31",  # Sotkanet 2022 = Statistics Finland population on 31 Dec 2022
}

# ---------------------------------------------------------------------------
# Hand-made data tables
# ---------------------------------------------------------------------------

# Swedish municipalities that call themselves "stad" rather than "kommun", spelt
# the way each one writes it (capital S for Göteborg, Borås and Trollhättan).
# Source: the municipalities' own websites and logos; only ones we are sure of.
SE_STAD_NAMES = {
    "0180": "Stockholms stad",
    "0183": "Sundbybergs stad",
    "0184": "Solna stad",
    "0186": "Lidingö stad",
    "0187": "Vaxholms stad",
    "1280": "Malmö stad",
    "1282": "Landskrona stad",
    "1283": "Helsingborgs stad",
    "1480": "Göteborgs Stad",
    "1481": "Mölndals stad",
    "1488": "Trollhättans Stad",
    "1490": "Borås Stad",
    "1980": "Västerås stad",
}

# Official long names the mechanical "{name} kommun" / sjbrg genitive misses.
SE_MUNICIPALITY_EXTRA_ALIASES = {
    "2080": ["Falu kommun"],  # Falun's official name; sjbrg has "Faluns kommun"
}

# Region Gotland is municipality 0980 with a region's duties: one body, one row
# in se_regions.csv (registry.md 1c). Aliases as agreed for the project.
SE_GOTLAND_CODE = "0980"
SE_GOTLAND_ALIASES = ["Gotlands kommun", "Gotland"]

# Regions formed in 1999 by merging county councils: there never was a
# "Skåne läns landsting" or "Västra Götalands läns landsting", so no
# "{län}s landsting" alias for them (SKL, "Bakgrund och fakta om större och
# färre regioner", 2017). Gotland never had a landsting either.
SE_NO_LANDSTING_ALIAS = {"09", "12", "14"}
SE_REGION_EXTRA_ALIASES = {
    "14": ["VGR"],  # the abbreviation Västra Götalandsregionen uses itself
}

# Agency names that neither register spells right (name_esv missing, outdated or
# a typo in SCB). Each fix keeps the register's spelling as an alias.
SE_AGENCY_NAME_FIXES = {
    # MFoF replaced NIA on 2017-01-01; ESV still carries the old NIA name.
    "202100-4169": "Myndigheten för familjerätt och föräldraskapsstöd",
    # arvsfonden.se and kammarkollegiet.se write "Arvsfondsdelegationen"; SCB drops the s.
    "202100-5950": "Arvsfondsdelegationen",
    # SFS 2007:1079 "Förordning med instruktion för Rättshjälpsnämnden"; SCB drops the s.
    "202100-6008": "Rättshjälpsnämnden",
    # SCB title-cases "För"; the fund's name Samefonden is the only proper noun.
    "202100-6800": "Styrelsen för Samefonden",
    # The name in the Discrimination Act (2008:567) is "Nämnden mot diskriminering".
    "202100-6206": "Nämnden mot diskriminering",
}

# Names the public actually uses (websites, social-media page names), by org.nr.
SE_AGENCY_EXTRA_ALIASES = {
    "202100-0076": ["Polisen"],
    "202100-5984": ["MSB"],  # renamed Myndigheten för civilt försvar on 2026-01-01
    "202100-5646": ["Kronofogden"],
    "202100-6594": ["Säpo"],
    "202100-4185": ["Skolverket"],
    "202100-6065": ["Skolinspektionen"],
    "202100-4151": ["Jordbruksverket"],
    "202100-5000": ["Energimyndigheten"],
    "202100-1280": ["Kulturrådet"],
    "202100-2635": ["Riksgälden"],
    "202100-5216": ["Vinnova"],
    "202100-6164": ["Tillväxtanalys"],
    "202100-3666": ["Musikverket"],
    "202100-5075": ["Världskulturmuseerna"],
    "202100-3427": ["ArkDes"],
    "202100-1132": ["SMTM"],  # the pre-2026 abbreviation; SFHM was merged in on 2026-01-01
    "202100-4169": ["MFoF"],
    # ESV took over Statskontoret's tasks and its name on 2026-01-01
    # (statskontoret.se, "Sammanslagning med ESV"), keeping ESV's org.nr.
    "202100-5026": ["ESV"],
}

# Register values that must not become aliases.
SE_AGENCY_DROP_ALIASES = {
    "202100-5216": {"VINOVA"},  # typo in ESV's short name for Vinnova
    # The old Statskontoret (wound up 2025-12-31). Its SCB name would collide
    # with the merged agency, which now carries the name Statskontoret.
    "202100-0852": {"STATSKONTORET"},
}

# Typos and cut-off values in ESV's English names.
SE_AGENCY_EN_FIXES = {
    "The Swedish Research Council for Environment, Agricultural Sciences and Spatial":
        "The Swedish Research Council for Environment, Agricultural Sciences and Spatial Planning",
    "Swedish Agency for Health Technology Assessment and Assessment of social service":
        "Swedish Agency for Health Technology Assessment and Assessment of Social Services",
    "National Electrical Saftey Board": "National Electrical Safety Board",
    "National Chemicals Inspectorare": "National Chemicals Inspectorate",
    "Swedish Gene Tecknology Advisory Board": "Swedish Gene Technology Advisory Board",
    "Medical Responsability Board": "Medical Responsibility Board",
}

# Abbreviations that stay upper case when an UPPER CASE SCB name is sentence-cased.
ACRONYMS = {"AP", "EU", "ESF", "FAO", "FOI", "ILO", "TLV"}
# Municipality names that are also everyday Swedish words; they are not
# capitalised automatically when they appear inside an agency name.
PLACE_NAME_STOPLIST = {"Ale", "Berg", "Boden", "Eda", "Kil", "Mark", "Nora", "Sala", "Vara", "Åre"}
# Proper nouns besides the place names taken from the municipality/county files.
EXTRA_PROPER_NOUNS = ["Sverige", "Sveriges", "Norden", "Nordiska"]

# Danish official long forms that differ from "{navn} Kommune" (the municipalities' own usage).
DK_EXTRA_ALIASES = {
    "0101": ["Københavns Kommune"],
    "0400": ["Bornholms Regionskommune"],
    "0480": ["Nordfyn"],
    "0820": ["Vesthimmerland"],
}
DK_CHRISTIANSO_CODE = "0411"  # state-run island, not a municipality (registry.md 2a)
# The regions' own English names.
DK_REGION_ALIASES = {
    "1081": ["North Denmark Region"],
    "1082": ["Central Denmark Region"],
    "1083": ["Region of Southern Denmark"],
    "1084": ["Capital Region of Denmark"],
    "1085": ["Region Zealand"],
}

# Oslo is a kommune and a fylke at once: one body, listed as a municipality.
NO_OSLO_FYLKE = "03"
NO_OSLO_CODE = "0301"
# Names that occur twice in Norway; SSB's standard adds the fylke in brackets
# (SSB KLASS 131). The codes are those of the 2024 structure in the source file.
NO_DISAMBIGUATED = {
    "1515": "Herøy (Møre og Romsdal)",
    "1818": "Herøy (Nordland)",
    "3114": "Våler (Østfold)",
    "3419": "Våler (Innlandet)",
}
# SSB's name where the source has only two of the three official names: Kåfjord
# also has a Kven name (SSB KLASS 131, in every edition since 2020).
NO_SSB_NAMES = {
    "5540": "Gáivuotna - Kåfjord - Kaivuono",
}

# The hyvinvointialueet's own short brand names (their websites and social-media
# pages use them). Only the ones we are sure of.
FI_WELLBEING_BRANDS = {
    "2": ["Keusote"],
    "4": ["Vakehyva"],
    "5": ["Varha"],
    "7": ["Oma Häme"],
    "8": ["Pirha"],
    "10": ["Kymsote"],
    "11": ["Eksote"],
    "12": ["Eloisa"],
    "14": ["Siun sote"],
    "15": ["Hyvaks"],
    "18": ["Soite"],
    "19": ["Pohde"],
}
FI_NOT_WELLBEING = {"90", "91"}  # Helsinki and Åland organise these services themselves
FI_EXTRA_ALIASES = {
    "478": ["Maarianhamina"],  # official Finnish name is bilingual "Maarianhamina - Mariehamn"
}

# ---------------------------------------------------------------------------
# Sources, for provenance.csv (repository, path and commit as in registry.md)
# ---------------------------------------------------------------------------

SRC_SE_MUN = (
    "manserlandsson/prikko pipeline/data/kommuner.json @ 0b9682a3d6915dd78e3af572c496d729eeef2152"
)
SRC_SE_COUNTIES = (
    "sjbrg/swedish-geodata data/counties.csv @ 967319129a6a3e8494316421fb64cf5d140714a3"
)
SRC_SE_AGENCIES = (
    "civictechsweden/myndighetsdata data/scb.json + data/esv.json @ e5b5c07e6dd1db93cd4926a3e72f9966a3aecd18"
)
SRC_DK_MUN = "LarsHernandez/dagir data/geo_kommuner.rdata @ cc9502ad9691e48a4f7fc197ddd7f4326c24fe0d"
SRC_DK_REG = "LarsHernandez/dagir data/geo_regioner.rdata @ cc9502ad9691e48a4f7fc197ddd7f4326c24fe0d"
SRC_NO = (
    "aprestmo/norway-geodata data/municipalities-2025.json @ bd44a4507c9262b44302db9f1665d43f2a6f927b"
    " (repo HEAD 97b15cd65b3ae43890bac5a3bc3c82343ba1d152)"
)
SRC_FI = (
    "rOpenGov/geofi data/municipality_key_2025.rda + data/sotkadata_population.rda"
    " @ de9392bbeac7ce09d13637ec000b8c9e69ce5c52"
)


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

_FOLD = str.maketrans({"ø": "o", "æ": "ae", "ð": "d", "ß": "ss", "đ": "d", "ł": "l", "þ": "th", "œ": "oe"})
_NON_WORD = re.compile(r"[^0-9a-z]+")


def name_key(name: str) -> str:
    """The loader's matching key (same rules as benchmark.registry.name_key):
    casefold, strip diacritics and punctuation. Used to drop aliases the loader
    would treat as the same name anyway."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFC", name).casefold().translate(_FOLD))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", text).strip()


def clean(text: str | None) -> str:
    """Trim and collapse inner whitespace (several source names carry trailing spaces)."""
    return " ".join((text or "").split())


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [{k: clean(v) for k, v in row.items()} for row in csv.DictReader(handle)]


def join_aliases(name: str, candidates: list[str]) -> str:
    """`|`-joined aliases: cleaned, without the name itself and without any
    alias whose matching key repeats an earlier one (first spelling wins)."""
    seen = {name_key(name)}
    kept = []
    for alias in candidates:
        alias = clean(alias)
        key = name_key(alias)
        if not alias or not key or key in seen:
            continue
        if "|" in alias:
            raise ValueError(f"alias {alias!r} contains the separator |")
        seen.add(key)
        kept.append(alias)
    return "|".join(kept)


def genitive(name: str) -> str:
    """Swedish genitive: add -s unless the word already ends in s, x or z."""
    return name if name[-1] in "sxz" else name + "s"


def record(country, kind, code, name, parent_code="", parent_name="", population="",
           population_date="", also_kinds="", aliases=()) -> dict[str, str]:
    name = clean(name)
    return {
        "country": country, "kind": kind, "code": code, "name": name,
        "parent_code": parent_code, "parent_name": clean(parent_name),
        "population": str(population) if population != "" else "",
        "population_date": population_date, "also_kinds": also_kinds,
        "aliases": join_aliases(name, list(aliases)),
    }


def sort_by_code(rows: list[dict[str, str]], numeric: bool = False) -> list[dict[str, str]]:
    """Sort by code as text; numerically where codes are not zero-padded (FI wellbeing counties)."""
    return sorted(rows, key=lambda r: (int(r["code"]), r["code"]) if numeric else r["code"])


def write_csv(path: Path, columns, rows) -> None:
    """UTF-8 without BOM, LF line endings, comma-separated, minimal quoting."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writeheader()
        writer.writerows(rows)


# ---------------------------------------------------------------------------
# Sweden
# ---------------------------------------------------------------------------

def se_regions(shared: Path) -> list[dict[str, str]]:
    municipalities = {r["kommunkod"]: r for r in read_csv(shared / "se_municipalities_pop2025.csv")}
    counties = {r["county_code"]: r for r in read_csv(shared / "se_counties_sjbrg.csv")}
    rows = []
    for r in read_csv(shared / "se_regions_pop2025_derived.csv"):
        lan_code, lan = r["lanskod"], r["lan"]
        if counties[lan_code]["county_name"] != lan:
            raise ValueError(f"län {lan_code}: {lan!r} differs from sjbrg {counties[lan_code]['county_name']!r}")
        if lan_code == SE_GOTLAND_CODE[:2]:
            gotland = municipalities[SE_GOTLAND_CODE]
            rows.append(record("SE", "region", SE_GOTLAND_CODE, r["region_name"], lan_code, lan,
                               int(gotland["folkmangd"]), POPULATION_DATE["SE"], "municipality",
                               SE_GOTLAND_ALIASES))
            continue
        aliases = []
        if lan_code not in SE_NO_LANDSTING_ALIAS:
            aliases.append(f"{lan}s landsting")  # the county council's name before it became a region
        aliases.append(f"Region {counties[lan_code]['county_name_short']}")
        aliases += SE_REGION_EXTRA_ALIASES.get(lan_code, [])
        rows.append(record("SE", "region", lan_code, r["region_name"], lan_code, lan,
                           int(r["folkmangd_sum"]), POPULATION_DATE["SE"], aliases=aliases))
    return sort_by_code(rows)


def se_municipalities(shared: Path) -> list[dict[str, str]]:
    rows = []
    for r in read_csv(shared / "se_municipalities_pop2025.csv"):
        code = r["kommunkod"]
        if code == SE_GOTLAND_CODE:
            continue  # listed once, as Region Gotland in se_regions.csv
        aliases = [f"{r['kommun']} kommun", r["kommun_long_sjbrg"]]
        if code in SE_STAD_NAMES:
            aliases.append(SE_STAD_NAMES[code])
        aliases += SE_MUNICIPALITY_EXTRA_ALIASES.get(code, [])
        rows.append(record("SE", "municipality", code, r["kommun"], r["lanskod"], r["lan"],
                           int(r["folkmangd"]), POPULATION_DATE["SE"], aliases=aliases))
    return sort_by_code(rows)


def se_proper_nouns(shared: Path) -> list[str]:
    """Place names (and their genitives) that keep a capital inside agency names."""
    nouns = set(EXTRA_PROPER_NOUNS)
    for r in read_csv(shared / "se_municipalities_pop2025.csv"):
        if r["kommun"] not in PLACE_NAME_STOPLIST:
            nouns.update({r["kommun"], genitive(r["kommun"])})
    for r in read_csv(shared / "se_counties_sjbrg.csv"):
        short = r["county_name_short"]
        nouns.update({short, genitive(short), r["county_name"].removesuffix(" län")})
    # Longest first, so "Västra Götalands" wins over "Götalands".
    return sorted(nouns, key=lambda n: (-len(n), n))


def sentence_case(upper: str, proper_nouns: list[str]) -> str:
    """Turn an UPPER CASE SCB name into Swedish sentence case with place names capitalised,
    e.g. LÄNSSTYRELSEN I STOCKHOLMS LÄN -> Länsstyrelsen i Stockholms län."""
    text = upper.lower()
    text = text[:1].upper() + text[1:]
    for noun in proper_nouns:
        text = re.sub(rf"(?<![\w-]){re.escape(noun)}(?!\w)", noun, text, flags=re.IGNORECASE)
    for acronym in ACRONYMS:
        text = re.sub(rf"\b{acronym}\b", acronym, text, flags=re.IGNORECASE)
    return text


def is_upper_case(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def english_name(value: str) -> str:
    """ESV's English name, with its mojibake and typos repaired; '' when unusable."""
    value = clean(value)
    if value in {"", "?"}:
        return ""
    value = value.replace("?s ", "'s ")  # a lost apostrophe: "Children?s Ombudsman"
    return SE_AGENCY_EN_FIXES.get(value, value).rstrip(".")


def se_agencies(shared: Path, converted: list[tuple[str, str, str]]) -> list[dict[str, str]]:
    """Administrative agencies (Statliga förvaltningsmyndigheter) from SCB, named as ESV names them.
    Appends (org_nr, SCB name, converted name) to `converted` for every name we sentence-cased."""
    nouns = se_proper_nouns(shared)
    rows = []
    for r in read_csv(shared / "se_state_agencies_scb_flat.csv"):
        if r["scb_group"] != "Statliga förvaltningsmyndigheter":
            continue  # embassies, courts, AP funds, Riksdag agencies, business agencies
        org_nr, name_scb = r["org_nr"], r["name_scb"]
        if org_nr in SE_AGENCY_NAME_FIXES:
            name = SE_AGENCY_NAME_FIXES[org_nr]
        elif r["name_esv"]:
            name = r["name_esv"]
        elif is_upper_case(name_scb):
            name = sentence_case(name_scb, nouns)
            converted.append((org_nr, name_scb, name))
        else:
            name = name_scb  # SCB already writes it in proper case
        # name_esv only differs from the name where a hand fix overrides it (former names).
        candidates = [r["short_name"], english_name(r["name_en"]), name_scb, r["name_esv"]]
        candidates += SE_AGENCY_EXTRA_ALIASES.get(org_nr, [])
        dropped = SE_AGENCY_DROP_ALIASES.get(org_nr, set())
        candidates = [a for a in candidates if a not in dropped]
        rows.append(record("SE", "agency", org_nr, name, aliases=candidates))
    return sort_by_code(rows)


# ---------------------------------------------------------------------------
# Denmark
# ---------------------------------------------------------------------------

def dk_regions(shared: Path) -> list[dict[str, str]]:
    rows = [
        record("DK", "region", r["kode"], r["navn"], r["kode"], r["navn"], int(r["population"]),
               POPULATION_DATE["DK"], aliases=DK_REGION_ALIASES.get(r["kode"], []))
        for r in read_csv(shared / "dk_regions_dagir_pop2021Q1.csv")
    ]
    return sort_by_code(rows)


def dk_municipalities(shared: Path) -> list[dict[str, str]]:
    rows = []
    for r in read_csv(shared / "dk_municipalities_dagir_pop2021Q1.csv"):
        if r["udenforkommuneinddeling"] == "True":
            assert r["kode"] == DK_CHRISTIANSO_CODE, r
            continue  # Christiansø: outside the municipal division
        aliases = [f"{r['navn']} Kommune"] + DK_EXTRA_ALIASES.get(r["kode"], [])
        rows.append(record("DK", "municipality", r["kode"], r["navn"], r["regionskode"], r["regionsnavn"],
                           int(r["population"]), POPULATION_DATE["DK"], aliases=aliases))
    return sort_by_code(rows)


# ---------------------------------------------------------------------------
# Norway
# ---------------------------------------------------------------------------

def no_counties(shared: Path) -> list[dict[str, str]]:
    rows = []
    for r in read_csv(shared / "no_counties_pop_derived.csv"):
        if r["fylkesnummer"] == NO_OSLO_FYLKE:
            continue  # Oslo kommune is also the fylke; it is in no_municipalities.csv
        rows.append(record("NO", "region", r["fylkesnummer"], f"{r['fylke']} fylkeskommune",
                           r["fylkesnummer"], r["fylke"], int(r["population_sum"]), POPULATION_DATE["NO"],
                           aliases=[r["fylke"]]))
    return sort_by_code(rows)


def no_municipalities(shared: Path) -> list[dict[str, str]]:
    rows = []
    for r in read_csv(shared / "no_municipalities_2025_aprestmo.csv"):
        code, name, name_no = r["kommunenummer"], r["name"], r["name_no"]
        if name != name_no:
            # Sami/Kven municipalities: SSB's name is bilingual, "Kárášjohka - Karasjok".
            official = NO_SSB_NAMES.get(code, f"{name} - {name_no}")
            aliases = [*official.split(" - "), f"{name_no} kommune"]
        elif code in NO_DISAMBIGUATED:
            official, aliases = NO_DISAMBIGUATED[code], [name, f"{name} kommune"]
        else:
            official, aliases = name, [f"{name} kommune"]
        also = "region" if code == NO_OSLO_CODE else ""
        rows.append(record("NO", "municipality", code, official, r["fylkesnummer"], r["fylke"],
                           int(r["population"]), POPULATION_DATE["NO"], also, aliases))
    return sort_by_code(rows)


# ---------------------------------------------------------------------------
# Finland
# ---------------------------------------------------------------------------

def fi_wellbeing_counties(shared: Path) -> list[dict[str, str]]:
    rows = []
    for r in read_csv(shared / "fi_wellbeing_counties_2025_geofi_derived.csv"):
        code = r["hyvinvointialue_code"]
        if code in FI_NOT_WELLBEING:
            continue
        aliases = [r["hyvinvointialue_name_sv"]] + FI_WELLBEING_BRANDS.get(code, [])
        rows.append(record("FI", "region", code, r["hyvinvointialue_name_fi"], code, r["hyvinvointialue_name_fi"],
                           int(r["population_2022_sum"]), POPULATION_DATE["FI"], aliases=aliases))
    return sort_by_code(rows, numeric=True)


def fi_municipalities(shared: Path) -> list[dict[str, str]]:
    rows = []
    for r in read_csv(shared / "fi_municipalities_2025_geofi_with_pop2022.csv"):
        aliases = [r["name_sv"], r["municipality_name_en"]] + FI_EXTRA_ALIASES.get(r["kunta"], [])
        rows.append(record("FI", "municipality", r["kunta"], r["name_fi"], r["hyvinvointialue_code"],
                           r["hyvinvointialue_name_fi"], int(r["population_2022_sotkanet"]),
                           POPULATION_DATE["FI"], aliases=aliases))
    return sort_by_code(rows)


# ---------------------------------------------------------------------------
# Provenance
# ---------------------------------------------------------------------------

SE_REGION_NAMES_NOTE = (
    "Region names (marked 'from general knowledge, verify' in the source) checked one by one against "
    "sv.wikipedia 'Sjukvårdsregion' (17 regions by name and län) and sodrasjukvardsregionen.se (Region Blekinge, "
    "Halland, Kronoberg, Skåne): all 21 match. Population DERIVED = sum of the län's municipalities. "
    "Region Gotland = municipality 0980 (code 0980, also_kinds municipality); it is not in se_municipalities.csv. "
    "Aliases: '{län}s landsting' (not for Gotland, Skåne and Västra Götaland, which never had one by that name), "
    "'Region {län short}', VGR. Source licence unknown (prikko has no LICENSE; figures are SCB/Kolada open data)."
)

PROVENANCE = {
    "se_regions.csv": dict(
        source="prikko municipality populations, summed by län; län names from sjbrg/swedish-geodata (CC0)",
        source_detail=f"{SRC_SE_MUN}; {SRC_SE_COUNTIES}",
        statistics="Kolada N01951 (SCB population) 2025",
        licence="unknown (prikko has no LICENSE); län names CC0",
        notes=SE_REGION_NAMES_NOTE,
    ),
    "se_municipalities.csv": dict(
        source="prikko kommuner.json (Kolada municipality list + Kolada N01951)",
        source_detail=SRC_SE_MUN,
        statistics="Kolada N01951 (SCB population) 2025",
        licence="unknown (prikko has no LICENSE; figures are SCB/Kolada open data)",
        notes=(
            "290 municipalities minus Gotland 0980 (listed as Region Gotland in se_regions.csv). "
            "Aliases: '{name} kommun', sjbrg's mechanical genitive (e.g. 'Kalmars kommun', 'Kalixs kommun', "
            "not official), 'Falu kommun', and the 'stad' names of 13 municipalities. "
            "Transcribed by hand from a 512 kB JSON; national sum 10,605,520 checked; "
            "re-check against Kolada N01951 before publishing."
        ),
    ),
    "se_agencies.csv": dict(
        source="SCB myndighetsregister (active entries) joined to ESV myndighetsregister by org.nr",
        source_detail=SRC_SE_AGENCIES,
        statistics="",
        licence="data CC0 (sources CC0/public records); repository code AGPL-3.0",
        notes=(
            "Only scb_group 'Statliga förvaltningsmyndigheter'. name = ESV name, else the SCB name "
            "(UPPER CASE ones sentence-cased), with 5 hand fixes (MFoF, Arvsfondsdelegationen, "
            "Rättshjälpsnämnden, Styrelsen för Samefonden, Nämnden mot diskriminering). "
            "202100-5026 is ESV, which took over Statskontoret and its name on 2026-01-01. "
            "202100-0852 (old Statskontoret, named 'Statskontoret (gamla)' by ESV) and 202100-0464 "
            "(Statens försvarshistoriska museer, merged into 202100-1132 on 2026-01-01) have closed "
            "but have no end date in SCB yet. "
            "The 202100-5703 rename to 'Myndigheten för säkerhet och integritetsskydd' comes from ESV "
            "and was not checked. Short names are ESV's internal codes; some (TV, FI, SA, HV) are ambiguous."
        ),
    ),
    "dk_regions.csv": dict(
        source="dagir (DAGI regions + DST FOLK1A)",
        source_detail=SRC_DK_REG,
        statistics="DST FOLK1A 2021K1",
        licence="MIT",
        notes=(
            "population outdated: 2021Q1; refresh from DST FOLK1A. "
            "Region Hovedstaden's 1,855,084 includes Christiansø's 90 residents (as DST counts them), so the "
            "regions sum to 5,840,045 while the municipalities sum to 5,839,955."
        ),
    ),
    "dk_municipalities.csv": dict(
        source="dagir (DAGI municipalities + DST FOLK1A)",
        source_detail=SRC_DK_MUN,
        statistics="DST FOLK1A 2021K1",
        licence="MIT",
        notes=(
            "population outdated: 2021Q1; refresh from DST FOLK1A. "
            "Christiansø (0411, 90 residents, outside the municipal division) dropped: 99 -> 98 rows. "
            "Aliases: '{navn} Kommune', Københavns Kommune, Bornholms Regionskommune."
        ),
    ),
    "no_counties.csv": dict(
        source="norway-geodata municipality populations, summed by fylke (2024 structure, 15 fylker)",
        source_detail=SRC_NO,
        statistics="SSB population (date inferred from the national sum 5,550,203)",
        licence="MIT",
        notes=(
            "Population DERIVED = sum of the fylke's municipalities; date inferred (the file does not say): "
            "refresh from SSB 07459. Oslo (fylke 03) left out: Oslo kommune is both kommune and fylke and is "
            "one row in no_municipalities.csv with also_kinds region. Name = '{fylke} fylkeskommune'."
        ),
    ),
    "no_municipalities.csv": dict(
        source="norway-geodata municipalities-2025.json (357 municipalities, 2024 structure)",
        source_detail=SRC_NO,
        statistics="SSB population (date inferred from the national sum 5,550,203)",
        licence="MIT",
        notes=(
            "Population date inferred (the README says 2025 data; the sum is SSB's 1 Jan 2024 figure): "
            "refresh from SSB 07459. 12 Sami/Kven municipalities get SSB's bilingual '{name} - {name_no}' "
            "(Kåfjord with its Kven name too: 'Gáivuotna - Kåfjord - Kaivuono'); SSB also lists multilingual "
            "names for about 15 more (e.g. Trondheim - Tråante, Porsanger - Porsáŋgu - Porsanki) that the "
            "source lacks, so those carry the Norwegian name only. "
            "Herøy 1515/1818 and Våler 3114/3419 carry SSB's '(fylke)' suffix. Oslo 0301 also_kinds region."
        ),
    ),
    "fi_wellbeing_counties.csv": dict(
        source="geofi municipality key 2025 + Sotkanet population, summed by hyvinvointialue",
        source_detail=SRC_FI,
        statistics="Sotkanet population 2022 (Statistics Finland, 31 Dec)",
        licence="BSD-2-Clause",
        notes=(
            "population outdated: 2022; refresh from StatFin vaerak 11ra. Population DERIVED = sum of 2025 "
            "municipalities; Etelä-Savo (12) is 1,600 short because Pertunmaa's 2022 figure is missing "
            "(merged into Mäntyharju 2025-01-01). Codes 90 Helsinki and 91 Åland excluded: not wellbeing "
            "counties (Helsinki organises the services itself; Åland has its own system)."
        ),
    ),
    "fi_municipalities.csv": dict(
        source="geofi municipality key 2025 joined to Sotkanet population",
        source_detail=SRC_FI,
        statistics="Sotkanet population 2022 (Statistics Finland, 31 Dec)",
        licence="BSD-2-Clause",
        notes=(
            "population outdated: 2022; refresh from StatFin vaerak 11ra. Mäntyharju (507) excludes "
            "Pertunmaa's 1,600 (merged 2025-01-01). Parent = hyvinvointialue; Helsinki 90 "
            "'Helsingin kaupunki', Åland 91 'Ahvenanmaa'. Trailing spaces in two Swedish names removed."
        ),
    ),
}


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def build(shared: Path) -> tuple[dict[str, list[dict[str, str]]], list[tuple[str, str, str]]]:
    converted: list[tuple[str, str, str]] = []
    files = {
        "se_regions.csv": se_regions(shared),
        "se_municipalities.csv": se_municipalities(shared),
        "se_agencies.csv": se_agencies(shared, converted),
        "dk_regions.csv": dk_regions(shared),
        "dk_municipalities.csv": dk_municipalities(shared),
        "no_counties.csv": no_counties(shared),
        "no_municipalities.csv": no_municipalities(shared),
        "fi_wellbeing_counties.csv": fi_wellbeing_counties(shared),
        "fi_municipalities.csv": fi_municipalities(shared),
    }
    return files, converted


def check(files: dict[str, list[dict[str, str]]]) -> None:
    """Fail on duplicate codes; report names/aliases that several bodies share (the loader
    then asks the user to choose, so these are worth knowing about, not errors)."""
    codes = Counter((r["country"], r["code"]) for rows in files.values() for r in rows)
    duplicates = [c for c, n in codes.items() if n > 1]
    if duplicates:
        raise ValueError(f"duplicate codes: {duplicates}")
    owners: dict[str, set[str]] = defaultdict(set)
    for rows in files.values():
        for r in rows:
            for alias in [r["name"], *filter(None, r["aliases"].split("|"))]:
                owners[name_key(alias)].add(f"{r['country']}:{r['code']}")
    shared_keys = {k: sorted(v) for k, v in owners.items() if len(v) > 1}
    if shared_keys:
        print(f"\n{len(shared_keys)} names/aliases shared by several bodies (matching key -> codes):")
        for key in sorted(shared_keys):
            print(f"  {key!r}: {', '.join(shared_keys[key])}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="folder with the shared registry CSVs")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (data/registry)")
    args = parser.parse_args(argv)

    files, converted = build(args.shared)
    check(files)
    args.out.mkdir(parents=True, exist_ok=True)
    provenance = []
    for file_name, rows in files.items():
        write_csv(args.out / file_name, COLUMNS, rows)
        country = rows[0]["country"]
        date = POPULATION_DATE[country] if rows[0]["population_date"] else ""
        provenance.append({"file": file_name, "population_reference_date": date, "rows": str(len(rows)),
                           **PROVENANCE[file_name]})
    write_csv(args.out / "provenance.csv", PROVENANCE_COLUMNS, provenance)

    print(f"Sentence-cased {len(converted)} SCB agency names (check by eye):")
    for org_nr, before, after in converted:
        print(f"  {org_nr}  {before}  ->  {after}")
    for file_name, rows in files.items():
        total = sum(int(r["population"]) for r in rows if r["population"])
        print(f"{file_name}: {len(rows)} rows, population {total:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
