"""`academy cohort import`: submissions as trainers receive them, matched to the roster.

Accepts a folder or a zip (an LMS download, e-mail attachments saved together) holding
any mix of

* `<learner_id>/<notebook>.ipynb`, or nbgrader's `<learner_id>/<exercise>/<notebook>.ipynb`
  (with its `timestamp.txt`): the learner is the folder named after a roster id; nbgrader's
  exchange inbound folder (`<learner_id>+<exercise>+<timestamp>/`, JupyterHub) works too;
* flat files whose name carries the learner id, e.g. `alice_week1.ipynb`: the roster id
  that appears in the name as a whole word, or the `student_id` group of the cohort's
  `flat_file_pattern` (nbgrader zip_collect's `named_regexp`); zips inside the zip are
  opened too.

Each matched notebook is copied to `submitted/<learner>/<exercise>/<notebook>` (the name
nbgrader expects, whatever the learner called it) with the submission time in
`timestamp.txt`; a submission it replaces is kept under `.academy/replaced/`. Files that
cannot be matched are listed with the reason, and nothing is guessed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from academy.cohort.folder import CohortFolder, atomic_write
from academy.cohort.manifest import load_manifest
from academy.cohort.roster import roster
from academy.core.errors import AcademyError

SKIP_PARTS = {"__MACOSX", ".ipynb_checkpoints"}
MAX_UNZIPPED_BYTES = 2 * 1024**3
MAX_MEMBER_BYTES = 200 * 1024**2
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"
#: A submission folder in nbgrader's exchange inbound: `<student>+<assignment>+<timestamp>`.
EXCHANGE_FOLDER = re.compile(r"^(?P<student_id>[^+]+)\+(?P<assignment>[^+]+)\+(?P<timestamp>.+)$")


@dataclass(frozen=True)
class ImportedFile:
    """One notebook taken in for a learner."""

    learner: str
    origin: str
    submitted_at: str
    renamed_from: str | None = None
    replaced: bool = False
    unchanged: bool = False


@dataclass(frozen=True)
class Unmatched:
    origin: str
    reason: str


@dataclass
class ImportReport:
    exercise: str
    imported: list[ImportedFile] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Candidate:
    path: Path
    origin: str
    learner: str | None
    reason: str
    submitted_at: datetime
    in_own_folder: bool = False


def _safe_extract(archive: Path, dest: Path, budget: list[int]) -> None:
    """Extract a zip without leaving `dest` (no absolute paths, no '..', no links) or
    exceeding the size budget; zips inside are extracted into a folder of their name."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            for info in zipped.infolist():
                name = info.filename.replace("\\", "/")
                parts = [p for p in name.split("/") if p not in ("", ".")]
                if info.is_dir() or not parts or ".." in parts or name.startswith("/"):
                    continue
                if (info.external_attr >> 16) & 0o170000 == 0o120000:  # a symlink
                    continue
                if info.file_size > MAX_MEMBER_BYTES or info.file_size > budget[0]:
                    raise AcademyError(
                        f"{archive}: {name} is too large to be a notebook; check the zip"
                    )
                budget[0] -= info.file_size
                target = dest.joinpath(*parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zipped.open(info) as source, target.open("wb") as sink:
                    shutil.copyfileobj(source, sink)
                stamp = datetime(*info.date_time).timestamp()
                os.utime(target, (stamp, stamp))
                if target.suffix.lower() == ".zip":
                    inner = target.with_suffix("")
                    inner.mkdir(exist_ok=True)
                    _safe_extract(target, inner, budget)
                    target.unlink()
    except zipfile.BadZipFile as exc:
        raise AcademyError(
            f"{archive}: not a readable zip file ({exc}); download it again"
        ) from exc


def _id_in_name(stem: str, ids: list[str]) -> list[str]:
    found = [
        learner
        for learner in ids
        if re.search(rf"(?<![A-Za-z0-9]){re.escape(learner)}(?![A-Za-z0-9])", stem, re.IGNORECASE)
    ]
    return [a for a in found if not any(a != b and a.lower() in b.lower() for b in found)]


def _timestamp(path: Path, groups: dict[str, str]) -> datetime:
    from nbgrader.utils import parse_utc

    stamp_file = path.parent / "timestamp.txt"
    for text in (
        stamp_file.read_text().strip() if stamp_file.is_file() else None,
        groups.get("timestamp"),
    ):
        if text:
            try:
                return parse_utc(text).replace(tzinfo=UTC)
            except (ValueError, OverflowError):
                continue
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def match(
    relative: Path, ids: list[str], pattern: str | None
) -> tuple[str | None, str, dict[str, str]]:
    """The roster id a file belongs to, or None and why not (a `folder` group says the id
    came from a folder name, so the learner chose the file name)."""
    by_lower = {learner.lower(): learner for learner in ids}
    folders = {by_lower[p.lower()] for p in relative.parts[:-1] if p.lower() in by_lower}
    exchange = [m for p in relative.parts[:-1] if (m := EXCHANGE_FOLDER.match(p))]
    for found in exchange:
        if found["student_id"].lower() in by_lower:
            folders.add(by_lower[found["student_id"].lower()])
    if len(folders) == 1:
        stamp = {"timestamp": exchange[-1]["timestamp"]} if exchange else {}
        return folders.pop(), "", {"folder": "yes", **stamp}
    if len(folders) > 1:
        return None, f"its folders name several learners ({', '.join(sorted(folders))})", {}
    if pattern:
        found = re.search(pattern, relative.name)
        groups = {k: v for k, v in (found.groupdict() if found else {}).items() if v}
        if "student_id" not in groups:
            return None, "its name does not match the cohort's flat_file_pattern", {}
        learner = by_lower.get(groups["student_id"].lower())
        if learner is None:
            return None, f"learner {groups['student_id']!r} is not on the roster", groups
        return learner, "", groups
    named = _id_in_name(relative.stem, ids)
    if len(named) == 1:
        return named[0], "", {}
    if named:
        return None, f"its name matches several learners ({', '.join(sorted(named))})", {}
    return None, "no roster id in its name or folders", {}


def _gather(path: Path, workdir: Path) -> Path:
    if path.is_dir():
        return path
    if path.is_file() and zipfile.is_zipfile(path):
        _safe_extract(path, workdir, [MAX_UNZIPPED_BYTES])
        return workdir
    if path.is_file() and path.suffix == ".ipynb":
        shutil.copy2(path, workdir / path.name)
        return workdir
    raise AcademyError(
        f"{path}: not a folder, a zip or a notebook; pass the download's folder or zip"
    )


def _candidates(base: Path, label: str, ids: list[str], pattern: str | None) -> list[_Candidate]:
    found: list[_Candidate] = []
    for path in sorted(base.rglob("*")):
        relative = path.relative_to(base)
        if not path.is_file() or any(p in SKIP_PARTS or p.startswith(".") for p in relative.parts):
            continue
        if path.suffix.lower() != ".ipynb":
            continue
        learner, reason, groups = match(relative, ids, pattern)
        origin = f"{label}/{relative.as_posix()}"
        found.append(
            _Candidate(path, origin, learner, reason, _timestamp(path, groups), "folder" in groups)
        )
    return found


def _choose(files: list[_Candidate], notebook: str) -> tuple[_Candidate, list[Unmatched]]:
    """The file to use for one learner, and why the others are not used."""
    named = [f for f in files if f.path.name == notebook]
    pool = named or files
    chosen = max(pool, key=lambda f: f.submitted_at)
    why = (
        "an older copy"
        if named
        else f"several notebooks and none named {notebook}; used the newest"
    )
    return chosen, [
        Unmatched(f.origin, f"{why} for {chosen.learner}") for f in files if f is not chosen
    ]


def _store(folder: CohortFolder, exercise: str, notebook: str, chosen: _Candidate) -> ImportedFile:
    target_dir = folder.submitted(chosen.learner or "", exercise)
    target = target_dir / notebook
    content = chosen.path.read_bytes()
    replaced = unchanged = False
    if target.is_file():
        if target.read_bytes() == content:
            unchanged = True
        else:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            backup = folder.state_dir / "replaced" / exercise / (chosen.learner or "") / stamp
            backup.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(target_dir, backup)
            replaced = True
    when = chosen.submitted_at.strftime(TIMESTAMP_FORMAT)
    imported = ImportedFile(
        learner=chosen.learner or "",
        origin=chosen.origin,
        submitted_at=chosen.submitted_at.isoformat(),
        renamed_from=chosen.path.name
        if chosen.in_own_folder and chosen.path.name != notebook
        else None,
        replaced=replaced,
        unchanged=unchanged,
    )
    if not unchanged:
        atomic_write(target, content)
        atomic_write(target_dir / "timestamp.txt", when)
        atomic_write(
            import_note_file(folder, exercise, imported.learner), json.dumps(asdict(imported))
        )
    return imported


def import_note_file(folder: CohortFolder, exercise: str, learner: str) -> Path:
    return folder.state_dir / "imports" / exercise / f"{learner}.json"


def import_note(folder: CohortFolder, exercise: str, learner: str) -> ImportedFile | None:
    """How a learner's current submission came in (None if it was put there by hand)."""
    path = import_note_file(folder, exercise, learner)
    if not path.is_file():
        return None
    return ImportedFile(**json.loads(path.read_text(encoding="utf-8")))


def import_submissions(
    folder: CohortFolder, exercise: str, source: Path, pattern: str | None = None
) -> ImportReport:
    """Copy every matched notebook under `source` into the cohort; report the rest."""
    manifest = load_manifest(folder, exercise)
    ids = [learner.id for learner in roster(folder)]
    pattern = pattern or folder.settings.flat_file_pattern
    if pattern:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise AcademyError(f"--pattern {pattern!r}: not a regular expression ({exc})") from exc
    report = ImportReport(exercise=exercise)
    with tempfile.TemporaryDirectory(prefix="academy-import-") as tmp:
        base = _gather(source.expanduser(), Path(tmp))
        candidates = _candidates(base, source.name, ids, pattern)
        by_learner: dict[str, list[_Candidate]] = {}
        for candidate in candidates:
            if candidate.learner is None:
                report.unmatched.append(Unmatched(candidate.origin, candidate.reason))
            else:
                by_learner.setdefault(candidate.learner, []).append(candidate)
        for learner in sorted(by_learner):
            chosen, unused = _choose(by_learner[learner], manifest.notebook)
            report.unmatched += unused
            report.imported.append(_store(folder, exercise, manifest.notebook, chosen))
    report.missing = [i for i in ids if not folder.submitted(i, exercise).is_dir()]
    return report
