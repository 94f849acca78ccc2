"""Learning platforms' submission downloads: who handed in each file, and what the
platform says about when.

Facts about each platform's own conventions live here, in one place:

* **Canvas** "Download Submissions" names every file
  `<name>_[LATE_]<user id>_<attachment id>_<file name>`: `<name>` is the learner's
  sortable name ("Last, First") lower-cased with everything but letters, digits and `_`
  removed ("Lopez, Ana" -> `lopezana`); `LATE` is there when Canvas counted the
  submission late; the user id is the Canvas user ID (the `ID` column of its
  gradebook); the attachment id grows with every upload, so a higher one is a later
  hand-in. With anonymous grading the name is left out and the id is `anon_<code>`. The
  zip's own file times are the time of the download, not of the hand-in.
* **Moodle** "Download all submissions" puts each learner's files in a folder
  `<Full name>_<participant id>_assignsubmission_file` (older versions add a trailing
  `_`; with "download submissions in folders" off, that prefix and `_` start each file
  name instead). The participant id belongs to the assignment, not the person; Moodle's
  "grading worksheet" CSV maps it (`Identifier`: "Participant 1234567") to the
  learner's e-mail address, with the hand-in time in `Last modified (submission)` and
  lateness in `Status`. Zip file times are again the download's.

Matching is to the roster: by `lms_id` when the roster has it (Canvas), by e-mail
through the worksheet (Moodle), else by name, accents and case aside, and only when
exactly one learner has that name.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path, PurePosixPath
from typing import Literal

from academy.cohort.roster import Learner
from academy.core.errors import AcademyError
from academy.core.names import fold

Platform = Literal["canvas", "moodle"]

CANVAS_FILE = re.compile(
    r"^(?:(?P<slug>.+?)_)?(?:(?P<late>LATE)_)?(?:(?P<user_id>\d+)|anon_(?P<anon>[A-Za-z0-9]+))"
    r"_(?P<attachment_id>\d+)_(?P<filename>.+)$"
)
MOODLE_PART = re.compile(
    r"^(?P<fullname>.+?)_(?P<participant>\d+)_assignsubmission_(?P<plugin>[a-z]+)(?:_(?P<rest>.*))?$"
)
MOODLE_IDENTIFIER = re.compile(r"(\d+)\s*$")


@dataclass(frozen=True)
class LmsHandIn:
    """What a platform's download says about one file."""

    platform: Platform
    label: str  # how the platform names the person, for messages
    filename: str  # the learner's own file name
    user_id: str | None = None  # Canvas user ID
    slug: str | None = None  # Canvas name slug
    participant: str | None = None  # Moodle participant id
    fullname: str | None = None  # Moodle full name
    late: bool | None = None  # the platform counted it late
    order: int | None = None  # Canvas attachment id: higher is later
    anonymous: bool = False


def canvas_slug(text: str) -> str:
    """Canvas's file-name form of a sortable name: lower case, word characters only."""
    return re.sub(r"[^\w]", "", text.lower())


def name_slugs(name: str) -> set[str]:
    """Every Canvas slug a roster name could give: "Last, First" for each way to split it
    (Canvas guesses where the surname starts), and the name as written."""
    words = name.split()
    slugs = {canvas_slug(name)}
    for cut in range(1, len(words)):
        slugs.add(canvas_slug(" ".join(words[cut:]) + ", " + " ".join(words[:cut])))
    return slugs | {unaccent(s) for s in slugs}


def unaccent(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def parse_download_path(relative: PurePosixPath) -> LmsHandIn | None:
    """The platform's facts about a file, from its path in the download (None: not an
    LMS download name)."""
    for part in relative.parts[:-1]:
        found = MOODLE_PART.match(part)
        if found and not found["rest"]:
            return LmsHandIn(
                "moodle",
                label=f"{found['fullname']} (participant {found['participant']})",
                filename=relative.name,
                participant=found["participant"],
                fullname=found["fullname"],
            )
    name = relative.name
    found = MOODLE_PART.match(name)
    if found and found["rest"]:
        return LmsHandIn(
            "moodle",
            label=f"{found['fullname']} (participant {found['participant']})",
            filename=found["rest"],
            participant=found["participant"],
            fullname=found["fullname"],
        )
    found = CANVAS_FILE.match(name)
    if found and (found["slug"] or found["anon"]):
        anonymous = found["anon"] is not None
        if anonymous:  # no name: a LATE tag is all that comes before the id
            return LmsHandIn(
                "canvas",
                label=f"anonymous Canvas submission {found['anon']}",
                filename=found["filename"],
                late=bool(found["late"]) or found["slug"] == "LATE",
                order=int(found["attachment_id"]),
                anonymous=True,
            )
        return LmsHandIn(
            "canvas",
            label=f"Canvas user {found['user_id']} ({found['slug']})"
            if not anonymous
            else f"anonymous Canvas submission {found['anon']}",
            filename=found["filename"],
            user_id=found["user_id"],
            slug=found["slug"],
            late=found["late"] is not None,
            order=int(found["attachment_id"]),
            anonymous=anonymous,
        )
    return None


@dataclass(frozen=True)
class WorksheetRow:
    """One row of Moodle's grading worksheet."""

    participant: str
    fullname: str
    email: str
    submitted_at: datetime | None
    late: bool | None


@dataclass(frozen=True)
class Worksheet:
    path: Path
    rows: dict[str, WorksheetRow]  # by participant id
    timezone: str


WORKSHEET_COLUMNS = ("Identifier", "Full name", "Email address", "Status")
SUBMITTED_COLUMN = "Last modified (submission)"


def _parse_moodle_time(text: str, zone: tzinfo) -> datetime | None:
    from dateutil import parser

    text = text.strip()
    if not text or text == "-":
        return None
    try:
        moment = parser.parse(text, fuzzy=True)
    except (ValueError, OverflowError):
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(UTC)


def read_worksheet(path: Path, zone: tzinfo | None = None) -> Worksheet:
    """Moodle's grading worksheet: participant -> e-mail, hand-in time, lateness.

    Moodle writes times in the downloading teacher's time zone without saying which;
    `zone` is that zone (default: this machine's)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError as exc:
        raise AcademyError(f"{path}: worksheet not found; check the path") from exc
    except UnicodeDecodeError as exc:
        raise AcademyError(
            f"{path}: not UTF-8 text; download the grading worksheet from Moodle again"
        ) from exc
    except OSError as exc:
        raise AcademyError(f"{path}: cannot be read ({exc.strerror})") from exc
    local = zone or datetime.now().astimezone().tzinfo or UTC
    reader = csv.DictReader(io.StringIO(text))
    missing = [
        c for c in (*WORKSHEET_COLUMNS, SUBMITTED_COLUMN) if c not in (reader.fieldnames or [])
    ]
    if missing:
        raise AcademyError(
            f"{path}:1: not a Moodle grading worksheet (no {', '.join(map(repr, missing))} "
            "column); in Moodle use the assignment's 'Download grading worksheet'"
        )
    rows = {}
    for record in reader:
        found = MOODLE_IDENTIFIER.search(record["Identifier"] or "")
        if not found:
            continue
        status = (record["Status"] or "").lower()
        rows[found.group(1)] = WorksheetRow(
            participant=found.group(1),
            fullname=record["Full name"] or "",
            email=(record["Email address"] or "").strip(),
            submitted_at=_parse_moodle_time(record[SUBMITTED_COLUMN] or "", local),
            late=("late" in status) if "submitted" in status else None,
        )
    return Worksheet(path, rows, str(local))


@dataclass(frozen=True)
class Match:
    learner: str | None
    reason: str  # why not, or how ("by name") when matched
    by_name: bool = False


def match_lms(
    hand_in: LmsHandIn, learners: list[Learner], worksheet: Worksheet | None = None
) -> Match:
    """The roster learner an LMS file belongs to, or None and why not."""
    if hand_in.anonymous:
        return Match(
            None,
            "Canvas anonymous grading hides who handed it in; turn anonymity off for the "
            "download, or import these files by hand",
        )
    if hand_in.platform == "canvas":
        with_id = {x.lms_id: x.id for x in learners if x.lms_id}
        if hand_in.user_id in with_id:
            return Match(with_id[hand_in.user_id], "")
        candidates = [
            x.id
            for x in learners
            if not x.lms_id and hand_in.slug and unaccent(hand_in.slug) in name_slugs(x.name)
        ]
        return _by_name(hand_in, candidates, "lms_id", hand_in.user_id or "")
    row = worksheet.rows.get(hand_in.participant or "") if worksheet else None
    if row is not None and row.email:
        by_email = [x.id for x in learners if x.email.lower() == row.email.lower()]
        if by_email:
            return Match(by_email[0], "")
        return Match(
            None,
            f"{hand_in.label}: the worksheet gives {row.email}, which is not on the roster",
        )
    wanted = fold(hand_in.fullname or "")
    candidates = [x.id for x in learners if fold(x.name) == wanted]
    return _by_name(hand_in, candidates, None, "")


def _by_name(hand_in: LmsHandIn, candidates: list[str], column: str | None, value: str) -> Match:
    how = (
        f"add {column} {value} to their roster line"
        if column
        else "pass Moodle's grading worksheet with --worksheet"
    )
    if len(candidates) == 1:
        return Match(candidates[0], f"matched by name; {how} to match by id", by_name=True)
    if candidates:
        return Match(
            None,
            f"{hand_in.label} matches several learners by name ({', '.join(candidates)}); {how}",
        )
    return Match(None, f"{hand_in.label} is not on the roster; {how}")
