"""The cohort's roster: read and check a roster file, add and remove learners.

A roster is a CSV file or an Excel workbook (`.xlsx`, read with openpyxl) with the
columns `id`, `name`, `email` and optionally `team`, `lms_id` and `lms_login` (any order,
any case). HR sends what it has, so the reader takes it as it comes: a UTF-8 BOM,
Windows line ends, a `;`, tab or `|` separator (detected), UTF-16 ("Unicode text") and
Excel's Windows-1252 "CSV" (said as a note), and a workbook saved with a `.csv` name.

`lms_id` is the learner's id in the learning platform: the Canvas user ID (the number in
Canvas's submission downloads and the `ID` column of its gradebook). `lms_login` is their
login there (Canvas `SIS Login ID`, Moodle username). Both are optional; with them,
downloads and grade exports match people by id rather than by name.

Every problem in the file is reported at once with its line number, and nothing is
imported until the whole file is right.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from academy.cohort.folder import CohortFolder, atomic_write
from academy.core.errors import AcademyError

COLUMNS = ("id", "name", "email", "team", "lms_id", "lms_login")
REQUIRED = ("id", "name", "email")
#: Header spellings HR exports use for our columns (after lower-casing, '-'/' ' -> '_').
ALIASES = {
    "e_mail": "email",
    "email_address": "email",
    "full_name": "name",
    "canvas_id": "lms_id",
    "canvas_user_id": "lms_id",
    "lms_user_id": "lms_id",
    "canvas_login": "lms_login",
    "sis_login_id": "lms_login",
    "moodle_username": "lms_login",
    "username": "lms_login",
}
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
EMAIL_PATTERN = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[A-Za-z]{2,}$")
SEPARATORS = ",;\t|"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Learner:
    """One person in the cohort."""

    id: str
    name: str
    email: str
    team: str | None = None
    lms_id: str | None = None
    lms_login: str | None = None

    @property
    def cells(self) -> list[str]:
        """The learner's roster line, in the order of COLUMNS."""
        return [getattr(self, column) or "" for column in COLUMNS]

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


@dataclass
class RosterTable:
    """The cells of a roster file, whatever it was saved as, and how it was read."""

    records: list[tuple[int, list[str]]]
    notes: list[str] = field(default_factory=list)


def _header_key(cell: str) -> str:
    key = re.sub(r"[\s-]+", "_", cell.strip().lower())
    return ALIASES.get(key, key)


def _rows(table: RosterTable, path: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[RosterProblem] = []
    for start, record in table.records:
        if not any(cell.strip() for cell in record):
            continue
        if header is None:
            header = [_header_key(cell) for cell in record]
            while header and not header[-1]:
                header.pop()
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
        extra = record[len(header) :]
        if any(cell.strip() for cell in extra):
            problems.append(
                RosterProblem(
                    start,
                    f"{len(record)} values but {len(header)} columns; "
                    "quote values that contain the separator",
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
    taken_lms: dict[str, dict[str, str]] = {
        key: {str(getattr(x, key)).lower(): repr(x.id) for x in existing or [] if getattr(x, key)}
        for key in ("lms_id", "lms_login")
    }
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
        for key in ("lms_id", "lms_login"):
            value = row.get(key, "")
            if not value:
                continue
            taken = taken_lms[key].get(value.lower())
            if taken is not None:
                problems.append(RosterProblem(line, f"{key} {value!r} is also given to {taken}"))
                row_ok = False
            else:
                taken_lms[key][value.lower()] = f"line {line}" if learner_id else "another line"
        if row_ok:
            learners.append(
                Learner(
                    learner_id,
                    name,
                    email,
                    row.get("team") or None,
                    row.get("lms_id") or None,
                    row.get("lms_login") or None,
                )
            )
    return learners, problems


def _csv_records(text: str) -> tuple[list[tuple[int, list[str]]], str]:
    """Rows of CSV text with their starting line, and the separator it uses."""
    text = text.lstrip("\ufeff")
    sample = "\n".join(text.splitlines()[:20])
    try:
        separator = csv.Sniffer().sniff(sample, delimiters=SEPARATORS).delimiter
    except csv.Error:
        first = next((line for line in text.splitlines() if line.strip()), "")
        separator = max(SEPARATORS, key=first.count) if any(c in first for c in SEPARATORS) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    records = []
    line = 1
    for record in reader:
        records.append((line, record))
        line = reader.line_num + 1
    return records, separator


def _decode(data: bytes, path: Path) -> tuple[str, list[str]]:
    """Roster bytes as text: UTF-8 (BOM or not), UTF-16 with a BOM, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), []
    if b"\x00" in data[:4096]:
        raise AcademyError(
            f"{path}: not a CSV or Excel file (it holds binary data); export the roster "
            "from Excel as .xlsx or 'CSV UTF-8'"
        )
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise AcademyError(
            f"{path}: not UTF-8 text and not Windows-1252 either; save the roster as 'CSV UTF-8' "
            "or .xlsx"
        ) from exc
    return text, [
        f"{path.name} is not UTF-8; read it as Windows-1252 (Excel's plain 'CSV'); check the "
        "accented names below, or save it as 'CSV UTF-8' next time"
    ]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps staff numbers as 1234.0
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[no-any-return]
    return str(value)


def _xlsx_records(data: bytes, path: Path) -> tuple[list[tuple[int, list[str]]], str]:
    """Rows of the first worksheet that has any (rows numbered as Excel numbers them)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged workbooks
        raise AcademyError(
            f"{path}: an Excel file that cannot be read ({type(exc).__name__}); open it in "
            "Excel and save it again as .xlsx"
        ) from exc
    try:
        for sheet in workbook.worksheets:
            records = [
                (number, [_cell_text(v) for v in row])
                for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)
            ]
            if any(any(cell.strip() for cell in r) for _, r in records):
                return records, sheet.title
    finally:
        workbook.close()
    return [], ""


def read_table(path: Path) -> RosterTable:
    """The cells of a roster file (CSV text or an Excel workbook), or a one-line error."""
    if path.is_dir():
        found = sorted(p.name for p in path.iterdir() if p.suffix.lower() in (".csv", ".xlsx"))
        hint = f" (it holds {', '.join(found[:3])})" if found else ""
        raise AcademyError(f"{path}: is a folder, not a roster file{hint}; pass the roster file")
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise AcademyError(f"{path}: roster file not found; check the path") from exc
    except PermissionError as exc:
        raise AcademyError(f"{path}: you may not read this file; check its permissions") from exc
    except OSError as exc:
        raise AcademyError(f"{path}: cannot be read ({exc.strerror}); check the path") from exc
    if data.startswith(ZIP_MAGIC):
        records, sheet = _xlsx_records(data, path)
        notes = [f"read the worksheet {sheet!r} of {path.name}"] if sheet else []
        if path.suffix.lower() != ".xlsx":
            notes.append(f"{path.name} is an Excel workbook (not CSV text); read it as one")
        return RosterTable(records, notes)
    if data.startswith(OLE_MAGIC):
        raise AcademyError(
            f"{path}: an old-style Excel .xls workbook; open it in Excel and save it as .xlsx "
            "or 'CSV UTF-8'"
        )
    text, notes = _decode(data, path)
    records, separator = _csv_records(text)
    if separator != ",":
        name = {";": "semicolons", "\t": "tabs", "|": "'|'"}[separator]
        notes.append(f"{path.name} separates values with {name}")
    return RosterTable(records, notes)


@dataclass(frozen=True)
class RosterRead:
    learners: list[Learner]
    notes: list[str]


def parse_table(
    table: RosterTable, path: Path | str, existing: list[Learner] | None = None
) -> list[Learner]:
    """Learners from a roster's cells; raises RosterError listing every problem."""
    _, rows = _rows(table, str(path))
    if not rows:
        raise RosterError(
            path, [RosterProblem(1, "no learners in the file; add one line per learner")]
        )
    learners, problems = check_learners(rows, existing)
    if problems:
        raise RosterError(path, problems)
    return learners


def parse_roster(
    text: str, path: Path | str, existing: list[Learner] | None = None
) -> list[Learner]:
    """Learners from roster CSV text; raises RosterError listing every problem."""
    records, _ = _csv_records(text)
    return parse_table(RosterTable(records), path, existing)


def load_roster(path: Path, existing: list[Learner] | None = None) -> RosterRead:
    """Learners from a roster file, with notes on how it was read."""
    table = read_table(path)
    return RosterRead(parse_table(table, path, existing), table.notes)


def read_roster_file(path: Path, existing: list[Learner] | None = None) -> list[Learner]:
    return load_roster(path, existing).learners


def render_roster(learners: list[Learner]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for learner in learners:
        writer.writerow(learner.cells)
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
        "lms_id": learner.lms_id or "",
        "lms_login": learner.lms_login or "",
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
