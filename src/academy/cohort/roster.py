"""The cohort's roster: read and check a CSV, add and remove learners.

A roster CSV has the columns `id`, `name`, `email` and optionally `team` (any order, any
case; a UTF-8 BOM from Excel is fine). Every problem in the file is reported at once with
its line number, and nothing is imported until the whole file is right.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from academy.cohort.folder import CohortFolder, atomic_write
from academy.core.errors import AcademyError

COLUMNS = ("id", "name", "email", "team")
REQUIRED = ("id", "name", "email")
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
EMAIL_PATTERN = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[A-Za-z]{2,}$")


@dataclass(frozen=True)
class Learner:
    """One person in the cohort."""

    id: str
    name: str
    email: str
    team: str | None = None

    @property
    def first_last(self) -> tuple[str, str]:
        """Name split for nbgrader's gradebook: everything but the last word, and the last word."""
        parts = self.name.rsplit(" ", 1)
        return (parts[0], parts[1]) if len(parts) == 2 else (self.name, "")


@dataclass(frozen=True)
class RosterProblem:
    line: int
    message: str


class RosterError(AcademyError):
    """A roster with problems; carries every one of them."""

    def __init__(self, path: Path | str, problems: list[RosterProblem]):
        self.path = str(path)
        self.problems = problems
        listed = "; ".join(f"{self.path}:{p.line}: {p.message}" for p in problems)
        super().__init__(
            f"{listed} — fix {'this problem' if len(problems) == 1 else f'these {len(problems)} problems'}"
            " and run again; nothing was imported"
        )


def _rows(text: str, path: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[RosterProblem] = []
    line = 1
    for record in reader:
        start = line
        line = reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in record]
            unknown = [h for h in header if h not in COLUMNS]
            missing = [c for c in REQUIRED if c not in header]
            if unknown:
                problems.append(
                    RosterProblem(
                        start,
                        f"unknown column(s) {', '.join(map(repr, unknown))}; "
                        f"use {', '.join(COLUMNS)}",
                    )
                )
            if missing:
                problems.append(
                    RosterProblem(
                        start,
                        f"missing column(s) {', '.join(missing)}; "
                        "the header must name id, name and email",
                    )
                )
            if problems:
                raise RosterError(path, problems)
            continue
        if len(record) > len(header):
            problems.append(
                RosterProblem(
                    start,
                    f"{len(record)} values but {len(header)} columns; "
                    "quote values that contain commas",
                )
            )
            continue
        values = {
            key: (record[i].strip() if i < len(record) else "") for i, key in enumerate(header)
        }
        rows.append((start, values))
    if header is None:
        raise RosterError(
            path, [RosterProblem(1, "the file is empty; add a header line id,name,email")]
        )
    if problems:
        raise RosterError(path, problems)
    return header, rows


def check_learners(
    rows: list[tuple[int, dict[str, str]]], existing: list[Learner] | None = None
) -> tuple[list[Learner], list[RosterProblem]]:
    """Turn rows into learners, finding every problem (also clashes with `existing`)."""
    problems: list[RosterProblem] = []
    learners: list[Learner] = []
    seen_ids: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    taken_ids = {learner.id.lower(): learner.id for learner in existing or []}
    taken_emails = {learner.email.lower(): learner.id for learner in existing or []}
    for line, row in rows:
        learner_id, name, email = row.get("id", ""), row.get("name", ""), row.get("email", "")
        row_ok = True
        if not learner_id:
            problems.append(RosterProblem(line, "missing id"))
            row_ok = False
        elif not ID_PATTERN.match(learner_id):
            problems.append(
                RosterProblem(
                    line,
                    f"id {learner_id!r} may only use letters, digits, "
                    "'.', '_' and '-' (starting with a letter or digit)",
                )
            )
            row_ok = False
        elif learner_id.lower() in seen_ids:
            problems.append(
                RosterProblem(
                    line,
                    f"duplicate id {learner_id!r} (also on line {seen_ids[learner_id.lower()]})",
                )
            )
            row_ok = False
        elif learner_id.lower() in taken_ids:
            problems.append(RosterProblem(line, f"id {learner_id!r} is already on the roster"))
            row_ok = False
        if not name:
            problems.append(RosterProblem(line, "missing name"))
            row_ok = False
        if not email:
            problems.append(RosterProblem(line, "missing email"))
            row_ok = False
        elif not EMAIL_PATTERN.match(email):
            problems.append(RosterProblem(line, f"malformed email {email!r}"))
            row_ok = False
        elif email.lower() in seen_emails:
            problems.append(
                RosterProblem(
                    line, f"duplicate email {email!r} (also on line {seen_emails[email.lower()]})"
                )
            )
            row_ok = False
        elif email.lower() in taken_emails:
            problems.append(
                RosterProblem(
                    line, f"email {email!r} already belongs to {taken_emails[email.lower()]!r}"
                )
            )
            row_ok = False
        if learner_id:
            seen_ids.setdefault(learner_id.lower(), line)
        if email:
            seen_emails.setdefault(email.lower(), line)
        if row_ok:
            learners.append(Learner(learner_id, name, email, row.get("team") or None))
    return learners, problems


def parse_roster(
    text: str, path: Path | str, existing: list[Learner] | None = None
) -> list[Learner]:
    """Learners from roster CSV text; raises RosterError listing every problem."""
    _, rows = _rows(text, str(path))
    if not rows:
        raise RosterError(
            path, [RosterProblem(1, "no learners in the file; add one line per learner")]
        )
    learners, problems = check_learners(rows, existing)
    if problems:
        raise RosterError(path, problems)
    return learners


def read_roster_file(path: Path, existing: list[Learner] | None = None) -> list[Learner]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise AcademyError(f"{path}: roster file not found; check the path") from exc
    except UnicodeDecodeError as exc:
        raise AcademyError(f"{path}: not UTF-8 text; save the roster as CSV UTF-8") from exc
    return parse_roster(text, path, existing)


def render_roster(learners: list[Learner]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for learner in learners:
        writer.writerow([learner.id, learner.name, learner.email, learner.team or ""])
    return buffer.getvalue()


def roster(folder: CohortFolder) -> list[Learner]:
    """The cohort's current roster."""
    return read_roster_file(folder.roster_file)


def sync_gradebook(db_url: str, course_id: str, learners: list[Learner]) -> None:
    """Create or update these learners in nbgrader's gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id) as gradebook:
        for learner in learners:
            first, last = learner.first_last
            gradebook.update_or_create_student(
                learner.id, first_name=first, last_name=last, email=learner.email
            )


@dataclass(frozen=True)
class RosterChange:
    added: list[Learner]
    removed: list[Learner]
    total: int


def _store(folder: CohortFolder, current: list[Learner], new: list[Learner]) -> RosterChange:
    learners = current + new
    sync_gradebook(folder.db_url, folder.name, new)
    atomic_write(folder.roster_file, render_roster(learners))
    return RosterChange(added=new, removed=[], total=len(learners))


def add_learner(folder: CohortFolder, learner: Learner) -> RosterChange:
    """Add one learner given on the command line, checked like a roster line."""
    current = roster(folder)
    row = {
        "id": learner.id,
        "name": learner.name,
        "email": learner.email,
        "team": learner.team or "",
    }
    checked, problems = check_learners([(1, row)], current)
    if problems:
        raise AcademyError(
            "; ".join(p.message for p in problems) + f" — {folder.roster_file} is unchanged"
        )
    return _store(folder, current, checked)


def add_from_file(folder: CohortFolder, path: Path) -> RosterChange:
    """Add every learner in a roster CSV; any problem (also a clash) and none is added."""
    current = roster(folder)
    return _store(folder, current, read_roster_file(path, existing=current))


def remove_learners(folder: CohortFolder, ids: list[str], force: bool = False) -> RosterChange:
    """Take learners off the roster; their files stay where they are.

    A learner with graded work is only removed from the gradebook with `force`, because
    nbgrader deletes their grades with them.
    """
    from nbgrader.api import Gradebook, MissingEntry

    current = roster(folder)
    by_id = {learner.id: learner for learner in current}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise AcademyError(
            f"{folder.roster_file}: not on the roster: {', '.join(unknown)}; "
            "check the ids (`academy cohort roster show NAME`)"
        )
    with Gradebook(folder.db_url, folder.name) as gradebook:
        graded = []
        for learner_id in ids:
            try:
                if gradebook.find_student(learner_id).submissions:
                    graded.append(learner_id)
            except MissingEntry:
                continue
        if graded and not force:
            raise AcademyError(
                f"{folder.gradebook_file}: {', '.join(graded)} already have submissions in the "
                "gradebook; pass --force to remove them and their grades (their files are kept)"
            )
        for learner_id in ids:
            try:
                gradebook.remove_student(learner_id)
            except MissingEntry:
                continue
    remaining = [learner for learner in current if learner.id not in ids]
    atomic_write(folder.roster_file, render_roster(remaining))
    return RosterChange(added=[], removed=[by_id[i] for i in ids], total=len(remaining))
