"""`academy cohort certificates`: a certificate (HTML and PDF) for each learner who
completed the cohort's track.

Completing a track means, for every course of `curriculum/tracks/<track>.yml`:

* every graded exercise of the course (`exercises/source/*/exercise.yml` naming it) was
  released to the cohort and passed: at least the cohort's `pass_mark` percent of its
  points, with nothing left to grade by hand;
* every click-through lesson of the course (`tracks/<track>/<course>/clickthrough/*.yml`)
  is completed in the progress store, and the course's graded check (`check:` in the
  track) scored at least the pass mark on the learner's first answers.

and every prerequisite track (`prerequisites:` of the track) is certified: a valid
certificate for it in any cohort in the cohorts folder, for the same roster id or e-mail.

Everyone else is listed with what they still need, so the trainer can follow up.

Each certificate has a verification code `<cohort>-<serial>-<signature>`: the signature
is an HMAC-SHA256, with a key only the cohort folder holds (`.academy/certificate.key`),
over the cohort, serial, learner, name, track and completion date, so nobody can make a
code that verifies without that folder. Issued certificates are kept in
`.academy/certificates.json`; `academy cohort verify CODE` checks a code against it.
When a re-grade takes a learner below the requirements, their certificate is revoked:
its files are removed and `verify` says it was revoked, when and why.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pydantic import Field, ValidationError

from academy.cohort.academy_files import (
    course_exercises,
    read_academy,
    read_track,
    track_checks,
    track_lessons,
)
from academy.cohort.folder import CohortFolder, atomic_write, ensure_dir
from academy.cohort.html import render
from academy.cohort.lesson_progress import (
    LessonProgress,
    ProgressSource,
    default_progress_source,
    learner_progress,
)
from academy.cohort.refresh import remember_output
from academy.cohort.scores import LearnerScores, cohort_scores, passed
from academy.core.errors import AcademyError
from academy.core.strict import Frozen
from academy.curriculum.models import Track


@dataclass(frozen=True)
class Requirements:
    exercises: list[str]
    lessons: list[str]
    checks: frozenset[str] = frozenset()  # of the lessons, the graded checks


@dataclass(frozen=True)
class Certificate:
    learner: str
    html: Path
    pdf: Path | None
    code: str


@dataclass(frozen=True)
class CertificateRun:
    track: str
    requirements: Requirements
    issued: list[Certificate]
    not_yet: dict[str, list[str]]
    revoked: list[IssuedCertificate] = field(default_factory=list)


def track_requirements(root: Path, track: Track) -> Requirements:
    """Exercises and click-through lessons a learner must finish to complete the track."""
    courses = {course.id for course in track.courses}
    return Requirements(
        exercises=course_exercises(root, courses),
        lessons=track_lessons(root, track),
        checks=frozenset(track_checks(track)),
    )


@dataclass(frozen=True)
class Need:
    """One thing a learner still needs for the certificate."""

    kind: str  # exercise, lesson, check (a graded check below the pass mark) or prerequisite
    id: str  # the exercise, lesson ('<course>/<lesson>') or track id
    why: str = ""  # e.g. "not handed in", "62%, needs 70%"

    @property
    def text(self) -> str:
        """As the trainer reads it: 'exercise sums (not handed in)'."""
        what = {"check": "graded check", "prerequisite": "prerequisite track"}.get(
            self.kind, self.kind
        )
        return f"{what} {self.id} ({self.why})" if self.why else f"{what} {self.id}"


def needs_of(
    row: LearnerScores,
    requirements: Requirements,
    lessons: dict[str, LessonProgress],
    pass_mark: float,
) -> list[Need]:
    """What a learner still needs of the track's exercises and lessons (empty: all done)."""
    needs = []
    for exercise in requirements.exercises:
        result = row.exercises.get(exercise)
        if result is None:
            needs.append(Need("exercise", exercise, "not released to this cohort yet"))
        elif not result.graded:
            needs.append(Need("exercise", exercise, "not handed in"))
        elif not passed(result, pass_mark):
            needs.append(Need("exercise", exercise, f"{result.percent:.0f}%, needs {pass_mark:g}%"))
    for lesson in requirements.lessons:
        if lesson not in lessons or not lessons[lesson].completed:
            needs.append(Need("lesson", lesson))
        elif lesson in requirements.checks and not lessons[lesson].check_passed(pass_mark):
            score = lessons[lesson].score_percent or 0
            needs.append(Need("check", lesson, f"{score:.0f}%, needs {pass_mark:g}%"))
    return needs


def missing_for(
    row: LearnerScores,
    requirements: Requirements,
    lessons: dict[str, LessonProgress],
    pass_mark: float,
) -> list[str]:
    """What a learner still needs (empty: the track is complete), as the trainer reads it."""
    return [need.text for need in needs_of(row, requirements, lessons, pass_mark)]


def prerequisites_needed(folder: CohortFolder, track: Track, row: LearnerScores) -> list[Need]:
    """The track's prerequisite tracks this learner holds no certificate for."""
    return [
        Need("prerequisite", p, "no certificate for it in these cohorts")
        for p in track.prerequisites
        if not prerequisite_certified(folder.path.parent, p, row.learner.id, row.learner.email)
    ]


def learner_needs(
    folder: CohortFolder, learner_id: str, progress: ProgressSource | None = None
) -> list[Need] | None:
    """What one roster learner still needs for the cohort's certificate (empty: nothing);
    None when the cohort has no track or the learner is not on its roster."""
    if not folder.settings.track:
        return None
    row = next((r for r in cohort_scores(folder).learners if r.learner.id == learner_id), None)
    if row is None:
        return None
    track = read_track(folder.academy_root, folder.settings.track)
    source = progress if progress is not None else default_progress_source()
    mine = learner_progress(source).get(learner_id, {})
    requirements = track_requirements(folder.academy_root, track)
    return needs_of(row, requirements, mine, folder.settings.pass_mark) + prerequisites_needed(
        folder, track, row
    )


def completion_date(
    row: LearnerScores, requirements: Requirements, lessons: dict[str, LessonProgress]
) -> datetime:
    moments = [
        row.exercises[e].submitted_at
        for e in requirements.exercises
        if row.exercises[e].submitted_at
    ]
    moments += [
        lessons[lesson].last_at for lesson in requirements.lessons if lessons[lesson].last_at
    ]
    aware = [m if m.tzinfo else m.replace(tzinfo=UTC) for m in moments if m is not None]
    return max(aware, default=datetime.now(UTC))


KEY_FILE = "certificate.key"
REGISTER_FILE = "certificates.json"
CODE_PATTERN = re.compile(
    r"^(?P<cohort>[a-z0-9][a-z0-9_-]*)-(?P<serial>\d{4,})-(?P<signature>[A-Z2-7]{16})$"
)


class IssuedCertificate(Frozen):
    """One certificate in the cohort's register."""

    serial: int = Field(description="Number of the certificate in this cohort.")
    code: str = Field(description="The verification code printed on it.")
    learner: str = Field(description="Roster id.")
    name: str = Field(description="Name printed on it.")
    email: str = Field(description="Roster e-mail (to match prerequisites across cohorts).")
    track: str = Field(description="Track id.")
    completed: str = Field(description="Completion date printed on it (YYYY-MM-DD).")
    issued_at: datetime = Field(description="When it was first issued.")
    revoked_at: datetime | None = Field(None, description="When it was revoked, if it was.")
    revoked_because: str | None = Field(None, description="Why it was revoked.")


class Register(Frozen):
    certificates: list[IssuedCertificate] = Field(default_factory=list)


def _key(folder: CohortFolder) -> bytes:
    """The cohort's signing key, made on first use (readable by the trainer only)."""
    path = folder.state_dir / KEY_FILE
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(32))
    return path.read_bytes()


def signature(
    key: bytes, cohort: str, serial: int, learner: str, name: str, track: str, completed: str
) -> str:
    message = "\x1f".join([cohort, str(serial), learner, name, track, completed]).encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:16]


def load_register(folder: CohortFolder) -> Register:
    path = folder.state_dir / REGISTER_FILE
    try:
        return Register.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Register()
    except (ValidationError, ValueError) as exc:
        raise AcademyError(
            f"{path}: damaged certificate register; restore it from a backup"
        ) from exc


def save_register(folder: CohortFolder, register: Register) -> None:
    atomic_write(folder.state_dir / REGISTER_FILE, register.model_dump_json(indent=2))


@dataclass(frozen=True)
class Verification:
    certificate: IssuedCertificate
    cohort: str
    trainer: str | None

    @property
    def valid(self) -> bool:
        return self.certificate.revoked_at is None


def verify_code(code: str, directory: Path | None = None) -> Verification:
    """Check a verification code against the cohort that issued it."""
    from academy.cohort.folder import open_cohort

    parts = code.strip().replace(" ", "").rsplit("-", 2)
    text = "-".join([parts[0].lower(), *parts[1:-1], parts[-1].upper()]) if len(parts) == 3 else ""
    found = CODE_PATTERN.match(text)
    if not found:
        raise AcademyError(
            f"{code!r}: not a certificate code (they look like spring-2025-0001-ABCDEFGH23456723); "
            "check it was typed in full"
        )
    folder = open_cohort(found["cohort"], directory)
    serial = int(found["serial"])
    entry = next((c for c in load_register(folder).certificates if c.serial == serial), None)
    expected = (
        signature(
            _key(folder),
            folder.name,
            serial,
            entry.learner,
            entry.name,
            entry.track,
            entry.completed,
        )
        if entry
        else ""
    )
    if entry is None or not hmac.compare_digest(expected, found["signature"]):
        raise AcademyError(
            f"{code!r}: not a certificate that cohort {folder.name!r} issued (the signature does "
            "not match); the certificate is not genuine"
        )
    trainer = folder.settings.trainer
    return Verification(entry, folder.name, f"{trainer.name}, {trainer.role}" if trainer else None)


def prerequisite_certified(directory: Path, track: str, learner: str, email: str) -> bool:
    """A valid certificate for `track` in any cohort here, for this id or e-mail."""
    from academy.cohort.folder import list_cohorts

    for other in list_cohorts(directory):
        for cert in load_register(other).certificates:
            if (
                cert.track == track
                and cert.revoked_at is None
                and (cert.learner == learner or cert.email.lower() == email.lower())
            ):
                return True
    return False


def write_pdf(html: str, target: Path) -> None:
    from weasyprint import HTML

    atomic_write(target, HTML(string=html).write_pdf())


def claims(requirements: Requirements) -> str:
    """What the certificate says the learner did: only what the track asks for."""
    practice = [lesson for lesson in requirements.lessons if lesson not in requirements.checks]
    wanted = (
        ("passing", len(requirements.exercises), "graded exercise"),
        ("passing", len(requirements.checks), "graded check"),
        ("finishing", len(practice), "click-through lesson"),
    )
    parts = [
        f"{verb} its {thing}" if count == 1 else f"{verb} all {count} of its {thing}s"
        for verb, count, thing in wanted
        if count
    ]
    return " and ".join(parts)


def issue_certificates(
    folder: CohortFolder,
    out: Path | None = None,
    progress: ProgressSource | None = None,
    pdf: bool = True,
) -> CertificateRun:
    """Write certificates for everyone who completed the track, revoke those of learners who
    no longer do, and list what the others still need."""
    if not folder.settings.track:
        raise AcademyError(
            f"{folder.path / 'cohort.yml'}: the cohort has no track, so there is nothing to certify; "
            "set `track:` to the track id it follows"
        )
    target = ensure_dir(out or folder.path / "certificates")
    root = folder.academy_root
    track = read_track(root, folder.settings.track)
    requirements = track_requirements(root, track)
    academy = read_academy(root)
    source = progress if progress is not None else default_progress_source()
    lessons = learner_progress(source)
    key = _key(folder)
    register = {c.learner: c for c in load_register(folder).certificates}
    serials = [c.serial for c in register.values()]
    issued: list[Certificate] = []
    revoked: list[IssuedCertificate] = []
    not_yet: dict[str, list[str]] = {}
    now = datetime.now(UTC).replace(microsecond=0)
    for row in cohort_scores(folder).learners:
        mine = lessons.get(row.learner.id, {})
        needs = missing_for(row, requirements, mine, folder.settings.pass_mark)
        needs += [need.text for need in prerequisites_needed(folder, track, row)]
        existing = register.get(row.learner.id)
        html_path = target / f"{row.learner.id}.html"
        pdf_path = target / f"{row.learner.id}.pdf"
        if needs:
            not_yet[row.learner.id] = needs
            if existing is not None and existing.revoked_at is None:
                existing = existing.model_copy(
                    update={"revoked_at": now, "revoked_because": "; ".join(needs)}
                )
                register[row.learner.id] = existing
                revoked.append(existing)
                for stale in (
                    html_path,
                    pdf_path,
                    folder.path / "certificates" / html_path.name,
                    folder.path / "certificates" / pdf_path.name,
                ):
                    stale.unlink(missing_ok=True)
            continue
        completed = completion_date(row, requirements, mine).date().isoformat()
        if (
            existing is None
            or existing.revoked_at is not None
            or existing.completed != completed
            or existing.name != row.learner.name
        ):
            serial = max(serials, default=0) + 1
            serials.append(serial)
            code = f"{folder.name}-{serial:04d}-" + signature(
                key, folder.name, serial, row.learner.id, row.learner.name, track.id, completed
            )
            existing = IssuedCertificate(
                serial=serial,
                code=code,
                learner=row.learner.id,
                name=row.learner.name,
                email=row.learner.email,
                track=track.id,
                completed=completed,
                issued_at=now,
            )
            register[row.learner.id] = existing
        page = render(
            "certificate.html.j2",
            academy=academy,
            learner=row.learner,
            track=track,
            claims=claims(requirements),
            trainer=folder.settings.trainer,
            cohort=folder.name,
            completed=datetime.fromisoformat(completed).strftime("%d %B %Y"),
            code=existing.code,
        )
        atomic_write(html_path, page)
        if pdf:
            write_pdf(page, pdf_path)
        issued.append(
            Certificate(row.learner.id, html_path, pdf_path if pdf else None, existing.code)
        )
    save_register(folder, Register(certificates=sorted(register.values(), key=lambda c: c.serial)))
    remember_output(folder, "certificates", target)
    return CertificateRun(track.id, requirements, issued, not_yet, revoked)
