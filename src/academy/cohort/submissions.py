"""`academy cohort import`: submissions as trainers receive them, matched to the roster.

Takes a folder, a zip (zips inside are opened too) or one notebook, holding any mix of

* a learning platform's download: Canvas's "Download Submissions" zip or Moodle's
  "Download all submissions" (their naming is in `academy.cohort.lms`);
* nbgrader's exchange inbound (`<learner>+<exercise>+<timestamp>[+<random>]/`,
  JupyterHub) or its `<learner>/<exercise>/` layout with `timestamp.txt`;
* a folder per learner named with their roster id;
* flat files whose name carries the learner id (`alice_week1.ipynb`), or the
  `student_id` group of the cohort's `flat_file_pattern` / `--pattern`.

What it refuses, each with its reason in the report, without stopping the others:

* symbolic links (never followed, in folders or zips), zip members that are too large,
  damaged or encrypted;
* an exchange folder owned by someone else than the learner it names (checked like
  `nbgrader collect`, which only warns), or one for another exercise;
* a notebook of another exercise (by its name, or its graded cells), or a copy of the
  exercise's own source;
* an older hand-in than the one already imported (by hand-in time, by the platform's
  upload order, or because it is a copy that was already replaced), unless
  `allow_older`.

Each accepted notebook goes to `submitted/<learner>/<exercise>/<notebook>` (the name
nbgrader expects) with its hand-in time (`academy.cohort.handin`); a submission it
replaces is kept under `.academy/replaced/`.
"""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from academy.cohort.folder import CohortFolder, atomic_write
from academy.cohort.handin import HandIn, HandInLog, current_hand_in, is_older, load_log, save_log
from academy.cohort.lms import Worksheet, match_lms, parse_download_path
from academy.cohort.manifest import ExerciseManifest, load_manifest
from academy.cohort.roster import Learner, roster
from academy.core.errors import AcademyError

SKIP_PARTS = {"__MACOSX", ".ipynb_checkpoints"}
MAX_UNZIPPED_BYTES = 2 * 1024**3
MAX_MEMBER_BYTES = 200 * 1024**2
MAX_NESTING = 3
#: A submission folder in nbgrader's exchange inbound: `<student>+<assignment>+<timestamp>[+<random>]`.
EXCHANGE_FOLDER = re.compile(
    r"^(?P<student_id>.+?)\+(?P<assignment>[^+]+)\+(?P<timestamp>\d{4}-\d\d-\d\d[^+]*)"
    r"(?:\+(?P<random>[^+]*))?$"
)

# Kept for callers of the earlier API.
ImportedFile = HandIn


@dataclass(frozen=True)
class Unmatched:
    origin: str
    reason: str


@dataclass
class ImportReport:
    exercise: str
    imported: list[HandIn] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Found:
    """A file in what the trainer imported."""

    path: Path  # where its bytes are now (the source folder, or the extraction folder)
    relative: PurePosixPath  # its path inside the download
    origin: str
    zip_time: datetime | None = None
    owner_uid: int | None = None  # owner of its exchange folder (folders on disk only)


@dataclass(frozen=True)
class Candidate:
    found: Found
    hand_in: HandIn
    content: bytes
    name: str  # the file's own name (without an LMS's prefix)


@dataclass
class ImportOptions:
    """How the trainer wants this import read."""

    pattern: str | None = None
    submitted_at: dict[str, datetime] = field(default_factory=dict)  # "" means everyone
    use_file_times: bool = False
    allow_older: bool = False
    worksheet: Worksheet | None = None


def check_pattern(pattern: str | None) -> str | None:
    if pattern is None:
        return None
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise AcademyError(
            f"--pattern {pattern!r}: not a regular expression ({exc}); e.g. "
            r"'^(?P<student_id>[^_]+)_'"
        ) from exc
    if "student_id" not in compiled.groupindex:
        raise AcademyError(
            f"--pattern {pattern!r}: it has no (?P<student_id>…) group, so no file could be "
            r"matched; name the part of the file name that is the roster id, e.g. "
            r"'^(?P<student_id>[^_]+)_'"
        )
    return pattern


# --- gathering the files -------------------------------------------------------------


def _extract(
    archive: Path,
    dest: Path,
    label: str,
    budget: list[int],
    found: list[Found],
    skipped: list[Unmatched],
    depth: int = 0,
) -> None:
    """Every member of a zip, extracted under `dest`; a bad member is skipped and reported."""
    try:
        zipped = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        if depth == 0:
            raise AcademyError(
                f"{archive}: not a readable zip file ({exc}); download it again"
            ) from exc
        skipped.append(Unmatched(label, f"a zip inside that cannot be opened ({exc})"))
        return
    with zipped:
        for index, info in enumerate(zipped.infolist()):
            name = info.filename.replace("\\", "/")
            origin = f"{label}/{name}"
            parts = [p for p in name.split("/") if p not in ("", ".")]
            if info.is_dir() or not parts:
                continue
            if ".." in parts or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
                skipped.append(Unmatched(origin, "its path leaves the zip; skipped"))
                continue
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                skipped.append(Unmatched(origin, "a symbolic link; links are never followed"))
                continue
            if any(p in SKIP_PARTS or p.startswith(".") for p in parts):
                continue
            is_zip = parts[-1].lower().endswith(".zip")
            if not is_zip and not parts[-1].lower().endswith((".ipynb", ".txt")):
                continue
            if info.file_size > MAX_MEMBER_BYTES:
                skipped.append(
                    Unmatched(
                        origin, f"{info.file_size / 2**20:.0f} MB, too large to be a notebook"
                    )
                )
                continue
            if info.file_size > budget[0]:
                skipped.append(Unmatched(origin, "the zip unpacks to more than 2 GB; skipped"))
                continue
            target = dest / Path(*parts)
            if target.exists():
                skipped.append(Unmatched(origin, "appears twice in the zip; used the first"))
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zipped.open(info) as source, target.open("wb") as sink:
                    copied = 0
                    while chunk := source.read(1 << 20):
                        copied += len(chunk)
                        if copied > MAX_MEMBER_BYTES:
                            raise ValueError("it unpacks to more than its stated size")
                        sink.write(chunk)
            except (
                zipfile.BadZipFile,
                zlib.error,
                RuntimeError,
                NotImplementedError,
                ValueError,
                OSError,
            ) as exc:
                target.unlink(missing_ok=True)
                skipped.append(Unmatched(origin, f"cannot be unpacked ({exc}); skipped"))
                continue
            budget[0] -= info.file_size
            if is_zip:
                if depth >= MAX_NESTING:
                    skipped.append(Unmatched(origin, "zips nested too deep; skipped"))
                else:
                    inner = dest / f"z{index}"
                    _extract(target, inner, origin, budget, found, skipped, depth + 1)
                target.unlink(missing_ok=True)
                continue
            stamp = datetime(*info.date_time).astimezone(UTC)
            relative = PurePosixPath(*parts)
            if depth:
                relative = PurePosixPath(Path(label).stem, *parts)
            found.append(Found(target, relative, origin, zip_time=stamp))


def _walk(base: Path, label: str, found: list[Found], skipped: list[Unmatched], work: Path) -> None:
    """Every notebook in a folder, never following a link."""
    budget = [MAX_UNZIPPED_BYTES]
    for directory, subdirs, files in os.walk(base, followlinks=False):
        here = Path(directory)
        rel_dir = here.relative_to(base)
        kept = []
        for sub in sorted(subdirs):
            path = here / sub
            if path.is_symlink():
                skipped.append(
                    Unmatched(
                        f"{label}/{(rel_dir / sub).as_posix()}",
                        "a symbolic link; links are never followed",
                    )
                )
            elif sub not in SKIP_PARTS and not sub.startswith("."):
                kept.append(sub)
        subdirs[:] = kept
        for name in sorted(files):
            path = here / name
            relative = PurePosixPath((rel_dir / name).as_posix())
            origin = f"{label}/{relative}"
            if name.startswith("."):
                continue
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                if name.lower().endswith((".ipynb", ".zip")):
                    skipped.append(Unmatched(origin, "a symbolic link; links are never followed"))
                continue
            if not stat.S_ISREG(mode):
                continue
            if name.lower().endswith(".zip"):
                _extract(path, work / f"w{len(found)}", origin, budget, found, skipped, depth=1)
                continue
            if not name.lower().endswith(".ipynb"):
                continue
            owner = None
            for depth, part in enumerate(relative.parts[:-1]):
                if EXCHANGE_FOLDER.match(part):
                    owner = (base / Path(*relative.parts[: depth + 1])).lstat().st_uid
            found.append(Found(path, relative, origin, owner_uid=owner))


def gather(source: Path, work: Path) -> tuple[list[Found], list[Unmatched]]:
    """The files of a folder, a zip or a notebook, and the ones skipped with why."""
    found: list[Found] = []
    skipped: list[Unmatched] = []
    if not source.exists() and not source.is_symlink():
        raise AcademyError(f"{source}: no such file or folder; check the path of the download")
    if source.is_dir():
        _walk(source, source.name, found, skipped, work)
    elif zipfile.is_zipfile(source):
        _extract(source, work, source.name, [MAX_UNZIPPED_BYTES], found, skipped)
    elif source.is_file() and source.suffix.lower() == ".ipynb":
        found.append(Found(source, PurePosixPath(source.name), source.name))
    else:
        raise AcademyError(
            f"{source}: not a folder, a zip or a notebook (.ipynb); pass the download's folder or zip"
        )
    return found, skipped


def read_no_follow(path: Path) -> bytes:
    """A file's bytes, refusing a symbolic link put there after it was listed."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as handle:
        return handle.read(MAX_MEMBER_BYTES + 1)


# --- who handed it in ------------------------------------------------------------------


def _id_in_name(stem: str, ids: list[str]) -> list[str]:
    found = [
        learner
        for learner in ids
        if re.search(rf"(?<![A-Za-z0-9]){re.escape(learner)}(?![A-Za-z0-9])", stem, re.IGNORECASE)
    ]
    return [a for a in found if not any(a != b and a.lower() in b.lower() for b in found)]


@dataclass(frozen=True)
class Identity:
    learner: str | None
    reason: str
    time: datetime | None = None
    source: str = "import"
    platform: str | None = None
    lms_late: bool | None = None
    lms_order: int | None = None
    own_name: str | None = None  # the learner's own file name (for "renamed from")
    by_name: bool = False


def _exchange_owner_problem(found: Found, learner: str) -> str | None:
    """nbgrader collect's check: the exchange folder belongs to the learner it names."""
    if found.owner_uid is None or found.owner_uid in (0, os.getuid()):
        return None  # a zip, or the trainer's own copy
    try:
        owner = pwd.getpwuid(found.owner_uid).pw_name
    except KeyError:
        owner = f"user id {found.owner_uid}"
    if owner != learner:
        return f"an exchange folder for {learner} owned by {owner}; refused (forged hand-in?)"
    return None


def identify(
    found: Found, learners: list[Learner], exercise: str, options: ImportOptions
) -> Identity:
    """Who handed a file in, and what the download says about when."""
    from nbgrader.utils import parse_utc

    relative = found.relative
    ids = [x.id for x in learners]
    by_lower = {i.lower(): i for i in ids}
    for part in relative.parts[:-1]:
        exchange = EXCHANGE_FOLDER.match(part)
        if not exchange:
            continue
        student = by_lower.get(exchange["student_id"].lower())
        if exchange["assignment"] != exercise:
            return Identity(
                None, f"an exchange hand-in of {exchange['assignment']!r}, not {exercise!r}"
            )
        if student is None:
            return Identity(None, f"learner {exchange['student_id']!r} is not on the roster")
        problem = _exchange_owner_problem(found, student)
        if problem:
            return Identity(None, problem)
        try:
            when = parse_utc(exchange["timestamp"]).replace(tzinfo=UTC)
        except (ValueError, OverflowError):
            return Identity(None, f"its exchange time {exchange['timestamp']!r} cannot be read")
        return Identity(student, "", when, "exchange", own_name=relative.name)
    lms = parse_download_path(relative)
    if lms is not None:
        matched = match_lms(lms, learners, options.worksheet)
        if matched.learner is None:
            return Identity(None, matched.reason)
        row = options.worksheet.rows.get(lms.participant or "") if options.worksheet else None
        when = row.submitted_at if row else None
        late = row.late if row else lms.late
        return Identity(
            matched.learner,
            matched.reason,
            when,
            "lms" if when else "import",
            platform=lms.platform,
            lms_late=late,
            lms_order=lms.order,
            own_name=lms.filename,
            by_name=matched.by_name,
        )
    folders = {by_lower[p.lower()] for p in relative.parts[:-1] if p.lower() in by_lower}
    if len(folders) > 1:
        return Identity(None, f"its folders name several learners ({', '.join(sorted(folders))})")
    if folders:
        learner = folders.pop()
        stamp = found.path.parent / "timestamp.txt"
        if stamp.is_file() and not stamp.is_symlink():
            try:
                when = parse_utc(stamp.read_text(encoding="utf-8").strip()).replace(tzinfo=UTC)
                return Identity(learner, "", when, "exchange", own_name=relative.name)
            except (ValueError, OverflowError, UnicodeDecodeError):
                pass
        return Identity(learner, "", own_name=relative.name)
    if options.pattern:
        hit = re.search(options.pattern, relative.name)
        groups = {k: v for k, v in (hit.groupdict() if hit else {}).items() if v}
        if "student_id" not in groups:
            return Identity(
                None, "its name does not match the pattern (--pattern / flat_file_pattern)"
            )
        learner = by_lower.get(groups["student_id"].lower())
        if learner is None:
            return Identity(None, f"learner {groups['student_id']!r} is not on the roster")
        when = None
        if groups.get("timestamp"):
            try:
                when = parse_utc(groups["timestamp"]).replace(tzinfo=UTC)
            except (ValueError, OverflowError):
                when = None
        return Identity(learner, "", when, "exchange" if when else "import")
    named = _id_in_name(PurePosixPath(relative.name).stem, ids)
    if len(named) == 1:
        return Identity(named[0], "")
    if named:
        return Identity(None, f"its name matches several learners ({', '.join(sorted(named))})")
    return Identity(
        None,
        "no roster id in its name or folders (for an LMS download, add lms_id to the roster; "
        "or pass --pattern)",
    )


# --- is it this exercise's notebook? ---------------------------------------------------


@dataclass(frozen=True)
class ExerciseKnowledge:
    """What tells this exercise's notebook from another's."""

    manifest: ExerciseManifest
    grade_ids: frozenset[str]
    others: dict[str, frozenset[str]]  # other exercises: graded cell ids
    other_names: dict[str, str]  # other exercises' notebook names -> exercise
    source_hashes: frozenset[str]


def _notebook_grade_ids(data: bytes) -> frozenset[str] | None:
    try:
        notebook = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        return None
    ids = set()
    for cell in cells:
        meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
        nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
        if isinstance(nbgrader, dict) and isinstance(nbgrader.get("grade_id"), str):
            ids.add(nbgrader["grade_id"])
    return frozenset(ids)


def exercise_knowledge(folder: CohortFolder, manifest: ExerciseManifest) -> ExerciseKnowledge:
    import yaml

    others: dict[str, frozenset[str]] = {}
    names: dict[str, str] = {}
    for other in folder.released_exercises():
        if other == manifest.exercise:
            continue
        released = load_manifest(folder, other)
        others[other] = frozenset(c.grade_id for c in released.cells)
        names[released.notebook.lower()] = other
    for sidecar in sorted((folder.academy_root / "exercises" / "source").glob("*/exercise.yml")):
        exercise = sidecar.parent.name
        if exercise == manifest.exercise or exercise in others:
            continue
        try:
            notebook = (yaml.safe_load(sidecar.read_text(encoding="utf-8")) or {}).get("notebook")
            data = (sidecar.parent / notebook).read_bytes() if isinstance(notebook, str) else None
        except (OSError, yaml.YAMLError):
            continue
        if data is not None:
            names[str(notebook).lower()] = exercise
            others[exercise] = _notebook_grade_ids(data) or frozenset()
    names.pop(manifest.notebook.lower(), None)
    source = folder.source(manifest.exercise)
    hashes = (
        frozenset(
            hashlib.sha256(p.read_bytes()).hexdigest()
            for p in source.rglob("*.ipynb")
            if p.is_file() and not p.is_symlink()
        )
        if source.is_dir()
        else frozenset()
    )
    return ExerciseKnowledge(
        manifest, frozenset(c.grade_id for c in manifest.cells), others, names, hashes
    )


def wrong_exercise(name: str, data: bytes, known: ExerciseKnowledge) -> str | None:
    """Why a file is not a hand-in of this exercise (None: it may be)."""
    if hashlib.sha256(data).hexdigest() in known.source_hashes:
        return "a copy of the exercise's own source notebook (with its solutions); refused"
    if name.lower() in known.other_names:
        return (
            f"named {name}, the notebook of exercise {known.other_names[name.lower()]!r}; refused"
        )
    ids = _notebook_grade_ids(data)
    if not ids or ids & known.grade_ids:
        return None  # damaged or blank notebooks are graded (and told so); ours has our cells
    best = max(known.others.items(), key=lambda kv: len(kv[1] & ids), default=None)
    if best and best[1] & ids:
        return f"its graded cells are those of exercise {best[0]!r}, not {known.manifest.exercise!r}; refused"
    return f"none of its graded cells belong to {known.manifest.exercise!r}; refused"


# --- choosing and storing -------------------------------------------------------------


def _when(
    identity: Identity, found: Found, learner: str, options: ImportOptions, now: datetime
) -> tuple[datetime, str]:
    given = options.submitted_at.get(learner) or options.submitted_at.get("")
    if given is not None:
        return given, "trainer"
    if identity.time is not None:
        return identity.time, identity.source
    if options.use_file_times:
        if found.zip_time is not None:
            return found.zip_time, "file"
        return datetime.fromtimestamp(found.path.lstat().st_mtime, UTC), "file"
    return now, "import"


def _rank(candidate: Candidate) -> tuple[int, float, int]:
    hand_in = candidate.hand_in
    return (
        1 if hand_in.time_is_known else 0,
        hand_in.submitted_at.timestamp() if hand_in.time_is_known else 0.0,
        hand_in.lms_order or 0,
    )


def _choose(files: list[Candidate], notebook: str) -> tuple[Candidate, list[Unmatched]]:
    """The file to use for one learner, and why the others are not used."""
    named = [f for f in files if f.name == notebook]
    pool = named or files
    chosen = max(pool, key=_rank)
    why = (
        "an older copy"
        if named
        else f"several notebooks and none named {notebook}; used the latest"
    )
    return chosen, [
        Unmatched(f.found.origin, f"{why} for {chosen.hand_in.learner}")
        for f in files
        if f is not chosen
    ]


def _store(
    folder: CohortFolder,
    notebook: str,
    chosen: Candidate,
    report: ImportReport,
    options: ImportOptions,
) -> None:
    hand_in = chosen.hand_in
    target_dir = folder.submitted(hand_in.learner, hand_in.exercise)
    target = target_dir / notebook
    log = load_log(folder, hand_in.exercise, hand_in.learner)
    if target.is_file() and target.read_bytes() == chosen.content:
        report.unchanged.append(hand_in.learner)
        return
    if log is not None and not options.allow_older:
        earlier = log.seen(hand_in.sha256)
        older = (
            f"the same file as the hand-in imported on {earlier.imported_at:%Y-%m-%d %H:%M} UTC, "
            "which a newer one has replaced"
            if earlier
            else is_older(hand_in, log.current)
        )
        if older:
            report.unmatched.append(
                Unmatched(
                    chosen.found.origin,
                    f"{older}; kept the newer one (pass --allow-older to roll back)",
                )
            )
            return
    if target_dir.is_dir():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        backup = folder.state_dir / "replaced" / hand_in.exercise / hand_in.learner / stamp
        backup.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(target_dir, backup, symlinks=True)
        shutil.rmtree(target_dir)
        report.replaced.append(hand_in.learner)
    atomic_write(target, chosen.content)
    if hand_in.writes_timestamp:
        atomic_write(target_dir / "timestamp.txt", hand_in.nbgrader_timestamp())
    history = [*log.history, log.current] if log else []
    save_log(folder, HandInLog(current=hand_in, history=history))
    report.imported.append(hand_in)


def import_submissions(
    folder: CohortFolder,
    exercise: str,
    source: Path,
    pattern: str | None = None,
    options: ImportOptions | None = None,
) -> ImportReport:
    """Copy every matched notebook under `source` into the cohort; report the rest."""
    options = options or ImportOptions()
    options.pattern = check_pattern(pattern or options.pattern or folder.settings.flat_file_pattern)
    manifest = load_manifest(folder, exercise)
    learners = roster(folder)
    known = exercise_knowledge(folder, manifest)
    report = ImportReport(exercise=exercise)
    now = datetime.now(UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory(prefix="academy-import-") as tmp:
        found, report.unmatched = gather(source.expanduser(), Path(tmp))
        by_learner: dict[str, list[Candidate]] = {}
        for item in found:
            if not item.relative.name.lower().endswith(".ipynb"):
                continue
            identity = identify(item, learners, exercise, options)
            if identity.learner is None:
                report.unmatched.append(Unmatched(item.origin, identity.reason))
                continue
            try:
                content = read_no_follow(item.path)
            except OSError as exc:
                report.unmatched.append(
                    Unmatched(item.origin, f"cannot be read ({exc.strerror}); skipped")
                )
                continue
            if len(content) > MAX_MEMBER_BYTES:
                report.unmatched.append(
                    Unmatched(item.origin, "too large to be a notebook; skipped")
                )
                continue
            own = identity.own_name or item.relative.name
            refused = wrong_exercise(own, content, known)
            if refused:
                report.unmatched.append(Unmatched(item.origin, refused))
                continue
            when, time_source = _when(identity, item, identity.learner, options, now)
            hand_in = HandIn(
                learner=identity.learner,
                exercise=exercise,
                origin=item.origin,
                sha256=hashlib.sha256(content).hexdigest(),
                submitted_at=when,
                source=time_source,  # type: ignore[arg-type]
                imported_at=now,
                platform=identity.platform,
                lms_late=identity.lms_late,
                lms_order=identity.lms_order,
                renamed_from=identity.own_name
                if identity.own_name not in (None, manifest.notebook)
                else None,
                matched_by_name=identity.by_name,
            )
            by_learner.setdefault(identity.learner, []).append(
                Candidate(item, hand_in, content, own)
            )
        for learner in sorted(by_learner):
            chosen, unused = _choose(by_learner[learner], manifest.notebook)
            report.unmatched += unused
            _store(folder, manifest.notebook, chosen, report, options)
    report.missing = [x.id for x in learners if not folder.submitted(x.id, exercise).is_dir()]
    report.notes = _time_notes(report, manifest)
    return report


def _time_notes(report: ImportReport, manifest: ExerciseManifest) -> list[str]:
    """What the trainer must know about the hand-in times just recorded."""
    notes = []
    at_import = [h for h in report.imported if h.source == "import" and h.lms_late is None]
    if at_import:
        when = at_import[0].submitted_at
        late = manifest.due is not None and when.replace(tzinfo=None) > manifest.due
        who = ", ".join(h.learner for h in at_import)
        notes.append(
            f"no hand-in time in the download for {who}: recorded the import time "
            f"({when:%Y-%m-%d %H:%M} UTC){', after the due date, so they count as late' if late else ''}; "
            "if you know when they handed in, import again with --submitted-at"
        )
    flagged = [h for h in report.imported if h.lms_late and not h.time_is_known]
    if flagged:
        notes.append(
            f"{flagged[0].platform} marked {', '.join(h.learner for h in flagged)} LATE without a time: "
            "shown late, no late penalty until you give the time with --submitted-at LEARNER=TIME"
        )
    by_name = [h.learner for h in report.imported if h.matched_by_name]
    if by_name:
        notes.append(
            f"matched by name only: {', '.join(by_name)}; add their lms_id (Canvas user ID) to the "
            "roster to match by id"
        )
    return notes


def import_note(folder: CohortFolder, exercise: str, learner: str) -> HandIn | None:
    """How a learner's current submission came in (None if it was put there by hand)."""
    return current_hand_in(folder, exercise, learner)
