"""Proposals for a new file's adapter, from its column names and values: for `academy data init`.

Each proposal says why it was made, so the team can check it; nothing here is final
(the draft marks every proposal "to_confirm"). Names are compared in a normal form
(lower case, letters and digits only), and each candidate is checked against the values:
a request id must be unique, a date must parse, a district must be a whole number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from academy.data.sniff import FileFacts
from academy.data.spec import CanonicalTable

# Canonical column -> published names that usually hold it, best first (normal form).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "request_id": (
        "srnumber",
        "servicerequestnum",
        "servicerequestid",
        "requestid",
        "srid",
        "casenumber",
        "caseid",
        "ticketid",
        "uniquekey",
        "servicerequestnumber",
        "requestnumber",
        "id",
    ),
    "request_type": (
        "srtype",
        "requesttype",
        "servicerequesttype",
        "servicename",
        "complainttype",
        "casetype",
        "type",
        "category",
        "problem",
        "srdescription",
    ),
    "agency": (
        "agency",
        "department",
        "ownerdepartment",
        "owner",
        "dept",
        "responsibleagency",
        "agencyname",
        "assignedagency",
    ),
    "created_at": (
        "createddate",
        "createdon",
        "created",
        "opendate",
        "opened",
        "requesteddatetime",
        "datecreated",
        "requestdate",
        "createddatetime",
    ),
    "closed_at": ("closeddate", "closedate", "closed", "closedon", "dateclosed", "resolveddate"),
    "due_at": ("duedate", "due", "sladuedate", "targetdate", "expecteddate"),
    "status": ("status", "srstatus", "requeststatus", "casestatus", "state"),
    "duplicate": ("duplicate", "isduplicate", "dup"),
    "duplicate_of": ("parentsrnumber", "parentrequest", "duplicateof", "parentid", "mastersr"),
    "neighborhood": (
        "neighborhood",
        "neighbourhood",
        "communityarea",
        "ncname",
        "neighborhoodname",
        "hood",
        "community",
        "area",
    ),
    "council_district": ("councildistrict", "cd", "ward", "district", "council"),
    "police_district": (
        "policedistrict",
        "policezone",
        "policeprecinct",
        "precinct",
        "policearea",
    ),
    "latitude": ("latitude", "lat", "y"),
    "longitude": ("longitude", "lon", "lng", "long", "x"),
    "channel": (
        "methodreceived",
        "requestorigin",
        "requestsource",
        "origin",
        "source",
        "channel",
        "method",
        "submittedvia",
    ),
    # vacant_buildings
    "notice_id": ("noticenum", "noticenumber", "referenceid", "noticeid"),
    "notice_date": ("datenotice", "noticedate"),
    "address": ("address", "buildingaddress", "streetaddress"),
    "block_lot": ("blocklot", "parcel", "parcelid"),
}
PROJECTED = {"x": ("xcoordinate", "x", "easting"), "y": ("ycoordinate", "y", "northing")}

STATUS_WORDS = (  # (pattern on the raw value, canonical status), first match wins
    (r"cancel|withdr|void|invalid", "cancelled"),
    (r"refer|transfer|redirect", "referred"),
    (r"clos|complet|resolv|done|fixed|finish", "closed"),
    (r"open|new|progress|pending|assign|receiv|active|hold|submit|work", "open"),
)


def normal(name: str) -> str:
    """A column name in the form synonyms are written in: 'Council_District' -> 'councildistrict'."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


@dataclass
class Proposal:
    """One proposed mapping and why."""

    column: str
    why: str


@dataclass
class Proposals:
    """Everything proposed for one file."""

    table: str | None
    columns: dict[str, Proposal] = field(default_factory=dict)
    coordinates: tuple[str, str] | None = None  # projected X/Y columns
    notes: dict[str, str] = field(default_factory=dict)  # canonical column -> a warning


def _numbers(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.dropna().str.strip(), errors="coerce")


def _is_degrees(values: pd.Series, limit: float) -> bool:
    numbers = _numbers(values)
    return (
        bool(len(numbers)) and bool(numbers.notna().all()) and bool(numbers.abs().le(limit).all())
    )


def _fits(name: str, column: str, facts: FileFacts) -> str | None:
    """Why the values of `column` fit canonical `name`, or None when they do not."""
    values = facts.text[column]
    present = values.dropna()
    if present.empty:
        return None
    share = len(present) / len(values)
    if name in ("request_id", "notice_id"):
        if values.isna().any():
            return None
        repeats = int(present.duplicated().sum())
        return (
            "a value in every row, each one different"
            if not repeats
            else f"a value in every row; {repeats:,} rows repeat an earlier value (see repeats)"
        )
    if name in ("created_at", "closed_at", "due_at", "notice_date"):
        guess = facts.dates.get(column)
        return f"dates written {guess.format}" if guess else None
    if name in ("council_district",):
        numbers = _numbers(values)
        whole = numbers.notna().all() and (numbers == numbers.round()).all()
        return f"whole numbers 1 to {int(numbers.max())}" if whole and numbers.min() >= 0 else None
    if name == "latitude":
        return "numbers between -90 and 90 (degrees)" if _is_degrees(values, 90) else None
    if name == "longitude":
        return "numbers between -180 and 180 (degrees)" if _is_degrees(values, 180) else None
    if name == "status":
        distinct = present.nunique()
        return f"{distinct} different values" if distinct <= 30 else None
    if name == "duplicate":
        words = set(present.str.strip().str.lower())
        return (
            "true/false values"
            if words <= {"true", "false", "t", "f", "y", "n", "yes", "no", "0", "1"}
            else None
        )
    if name in ("request_type", "agency", "channel", "neighborhood", "police_district"):
        distinct = present.nunique()
        if distinct > max(500, 0.5 * len(present)):
            return None  # free text, not categories
        return f"{distinct:,} different values in {share:.0%} of rows"
    return f"filled in {share:.0%} of rows"


def _candidates(name: str, facts: FileFacts, taken: set[str]) -> Proposal | None:
    names = {normal(c): c for c in facts.text.columns if c not in taken}
    for rank, synonym in enumerate(SYNONYMS.get(name, ())):
        column = names.get(synonym)
        if column is None:
            continue
        why = _fits(name, column, facts)
        if why is not None:
            how = "the column's name" if rank < 3 else "a name often used for it"
            return Proposal(column, f"proposed from {how} ({column!r}): {why}.")
    return None


def _by_values(name: str, facts: FileFacts, taken: set[str]) -> Proposal | None:
    """A required column whose name is unknown: the first column (in file order) whose values
    fit it, naming the others that fit too, so the team can pick the right one."""
    text_only = name in ("request_type", "status", "agency")
    fitting = [
        c
        for c in facts.text.columns
        if c not in taken
        and not (text_only and (facts.types.get(c, "string") != "string" or c in facts.dates))
        and _fits(name, c, facts) is not None
    ]
    if not fitting:
        return None
    first, others = fitting[0], fitting[1:6]
    also = f"; others that fit: {', '.join(map(repr, others))}" if others else ""
    return Proposal(
        first,
        f"no column is named like {name}, so this is the first column whose values fit it "
        f"({first!r}: {_fits(name, first, facts)}){also}. Pick the column that holds it.",
    )


def propose(facts: FileFacts, tables: dict[str, CanonicalTable]) -> Proposals:
    """The canonical table this file most likely is, and a column for each canonical column."""
    best: Proposals = Proposals(table=None)
    best_score = 0
    for table_name, table in tables.items():
        found = Proposals(table=table_name)
        taken: set[str] = set()
        for f in table.fields:
            if f.computed or f.name == "status_raw":
                continue
            proposal = _candidates(f.name, facts, taken)
            if proposal is not None:
                found.columns[f.name] = proposal
                if f.name != "status":
                    taken.add(proposal.column)
        required = [f.name for f in table.fields if f.required and not f.computed]
        have = [n for n in required if n in found.columns or n == "status_raw"]
        guessed = 0
        if len(have) == len(required) - 1:  # one required column under a name no synonym knows
            for name in [n for n in required if n not in have]:
                used = taken | {p.column for p in found.columns.values()}
                guess = _by_values(name, facts, used)
                if guess is not None:
                    found.columns[name] = guess
                    if name != "status":
                        taken.add(guess.column)
                    have.append(name)
                    guessed += 1
        if "status" in found.columns:
            found.columns["status_raw"] = Proposal(
                found.columns["status"].column, "the same column as status, kept as written."
            )
        score = len(have) * 10 + len(found.columns) - 15 * guessed  # names beat guesses
        if len(have) == len(required) and score > best_score:
            best, best_score = found, score
    if best.table is not None:
        _projected(facts, best)
    return best


def _projected(facts: FileFacts, found: Proposals) -> None:
    """X/Y columns that are not degrees: map positions in a projected system (CRS to name)."""
    if "latitude" in found.columns and "longitude" in found.columns:
        return
    names = {normal(c): c for c in facts.text.columns}
    pick = {}
    for axis, synonyms in PROJECTED.items():
        column = next((names[s] for s in synonyms if s in names), None)
        if column is None:
            return
        numbers = _numbers(facts.text[column])
        if numbers.isna().any() or numbers.abs().max() <= 180:
            return
        pick[axis] = column
    found.coordinates = (pick["x"], pick["y"])
    found.columns.pop("latitude", None)
    found.columns.pop("longitude", None)


def status_vocabulary(values: pd.Series) -> tuple[dict[str, str], list[str]]:
    """Raw status -> canonical status from the words, and the raw values it could not read."""
    vocabulary, unsure = {}, []
    for value in sorted(set(values.dropna().str.strip())):
        status = next((s for pattern, s in STATUS_WORDS if re.search(pattern, value, re.I)), None)
        if status is None:
            unsure.append(value)
            status = "open"
        vocabulary[value] = status
    return vocabulary, unsure


def duplicate_vocabulary(values: pd.Series) -> dict[str, str] | None:
    """Raw status -> 'true'/'false' when some statuses say 'duplicate', else None."""
    raw = sorted(set(values.dropna().str.strip()))
    marked = [v for v in raw if re.search(r"duplic", v, re.I)]
    if not marked:
        return None
    return {v: "true" if v in marked else "false" for v in raw}


@dataclass(frozen=True)
class PointGuess:
    """A map point many rows share: probably a placeholder."""

    latitude: float
    longitude: float
    rows: int
    share: float


def shared_points(latitude: pd.Series, longitude: pd.Series) -> list[PointGuess]:
    """Map points that are probably placeholders, most rows first.

    0/0 (a point in the ocean off Africa) is a placeholder however few rows hold it: no
    city is there. Any other point is one when it holds at least 2% of the located rows
    (and 20 rows): the call centre or city hall a system writes when it has no location.
    """
    located = pd.DataFrame({"lat": latitude, "lon": longitude}).dropna()
    if located.empty:
        return []
    counts = located.value_counts()

    def guess(point: tuple[float, float]) -> PointGuess:
        rows = int(counts[point])
        return PointGuess(float(point[0]), float(point[1]), rows, rows / len(located))

    null_island = (0.0, 0.0)
    top = counts.index[0]
    shared = top != null_island and counts.iloc[0] >= 20 and counts.iloc[0] / len(located) >= 0.02
    guesses = [guess(top)] if shared else []
    if null_island in counts.index:
        guesses.append(guess(null_island))
    return guesses


def area_words(column: str | None, fallback: tuple[str, str]) -> tuple[str, str]:
    """What the city likely calls an area, from the name of the column that holds it."""
    if column is None:
        return fallback
    name = normal(column)
    known = {
        "communityarea": ("community area", "community areas"),
        "ncname": ("neighborhood council", "neighborhood councils"),
        "nc": ("neighborhood council", "neighborhood councils"),
        "ward": ("ward", "wards"),
        "policezone": ("police zone", "police zones"),
        "policeprecinct": ("police precinct", "police precincts"),
        "precinct": ("precinct", "precincts"),
        "neighbourhood": ("neighbourhood", "neighbourhoods"),
    }
    return known.get(name, fallback)
