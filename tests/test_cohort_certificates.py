"""Certificates that say only what is true: signed codes only the cohort can make,
revoked when a re-grade takes the learner below the requirements, prerequisites checked,
a PDF whose page is filled (checked as an image)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from cohort_support import make_cohort

from academy.cohort import certificates as certs
from academy.cohort.certificates import issue_certificates, verify_code
from academy.cohort.folder import load_folder, write_settings
from academy.cohort.scores import CohortScores, ExerciseScore, LearnerScores
from academy.cohort.settings import Trainer
from academy.core.errors import AcademyError

LESSON = "python-basics/reading-lists"


@dataclass(frozen=True)
class Summary:
    learner: str
    lesson: str = LESSON
    steps_done: int = 1
    steps_total: int = 1
    completed: bool = True
    last_at: datetime = datetime(2030, 1, 5, tzinfo=UTC)


class Progress:
    """A progress store in which these learners completed the track's lesson."""

    def __init__(self, done: list[str]):
        self.done = done

    def lesson_summaries(self) -> list[Summary]:
        return [Summary(x) for x in self.done]


@pytest.fixture
def cohort(tmp_path, monkeypatch):
    folder = make_cohort(tmp_path, ["ana", "ben"])
    write_settings(
        folder.path,
        folder.settings.model_copy(
            update={"trainer": Trainer(name="Rosa Díaz", role="Data Academy trainer")}
        ),
    )
    folder = load_folder(folder.path)
    grades = {"ana": 5.0, "ben": 2.0}

    def scores(f):
        from academy.cohort.manifest import load_manifest
        from academy.cohort.roster import roster

        manifest = load_manifest(f, "sums")
        return CohortScores(
            [manifest],
            [
                LearnerScores(
                    x, {"sums": ExerciseScore("sums", 5.0, score=grades[x.id], questions={})}
                )
                for x in roster(f)
            ],
        )

    monkeypatch.setattr(certs, "cohort_scores", scores)
    return folder, grades


def test_a_certificate_is_signed_verified_and_revoked(cohort, tmp_path):
    folder, grades = cohort
    run = issue_certificates(folder, progress=Progress(["ana", "ben"]))
    assert [c.learner for c in run.issued] == ["ana"]
    cert = run.issued[0]
    html = cert.html.read_text()
    assert "Rosa Díaz" in html and "Data Academy trainer" in html
    assert "passing its graded exercise and finishing its click-through lesson" in html
    checked = verify_code(cert.code, folder.path.parent)
    assert checked.valid and checked.certificate.name == "Learner Ana"
    # the code is not a hash anyone can compute: change one character and it fails
    forged = cert.code[:-1] + ("A" if cert.code[-1] != "A" else "B")
    with pytest.raises(AcademyError, match="not genuine"):
        verify_code(forged, folder.path.parent)
    with pytest.raises(AcademyError, match="not a certificate code"):
        verify_code("hello", folder.path.parent)
    assert (folder.state_dir / "certificate.key").stat().st_mode & 0o077 == 0
    # issuing again keeps the same code
    assert issue_certificates(folder, progress=Progress(["ana"])).issued[0].code == cert.code
    # a re-grade below the pass mark revokes it and removes its files
    grades["ana"] = 1.0
    again = issue_certificates(folder, progress=Progress(["ana"]))
    assert again.issued == [] and [c.learner for c in again.revoked] == ["ana"]
    assert not cert.html.exists() and not cert.pdf.exists()
    revoked = verify_code(cert.code, folder.path.parent)
    assert not revoked.valid and "20%" in revoked.certificate.revoked_because


def test_claims_follow_the_track_and_prerequisites_are_checked(cohort, monkeypatch):
    folder, _ = cohort
    requirements = certs.Requirements(exercises=["sums"], lessons=[])
    assert certs.claims(requirements) == "passing its graded exercise"
    assert "lesson" not in certs.claims(requirements)
    from academy.curriculum.models import Track

    real = certs.read_track

    def with_prerequisite(root, track_id):
        track = real(root, track_id)
        return Track.model_validate({**track.model_dump(), "prerequisites": ["foundations"]})

    monkeypatch.setattr(certs, "read_track", with_prerequisite)
    run = issue_certificates(folder, progress=Progress(["ana"]), pdf=False)
    assert run.issued == []
    assert "prerequisite track foundations" in run.not_yet["ana"][0]


def test_the_pdf_fills_its_page_and_says_everything(cohort):
    import pypdfium2

    folder, _ = cohort
    cert = issue_certificates(folder, progress=Progress(["ana"])).issued[0]
    pdf = pypdfium2.PdfDocument(str(cert.pdf))
    assert len(pdf) == 1  # one page, nothing spilled onto a second
    page = pdf[0]
    width, height = page.get_size()
    assert width > height  # landscape
    text = page.get_textpage().get_text_range()
    for needed in ("Learner Ana", "Analyst Basics", "Rosa Díaz", cert.code):
        assert needed in " ".join(text.split()), needed
    image = page.render(scale=1).to_pil().convert("L")
    inked = image.point(lambda v: 255 if v < 200 else 0).getbbox()
    left, top, right, bottom = inked
    assert (right - left) / image.width > 0.9 and (bottom - top) / image.height > 0.85
    # the text itself spreads over the page, not only the border
    middle = image.crop(
        (
            int(image.width * 0.1),
            int(image.height * 0.1),
            int(image.width * 0.9),
            int(image.height * 0.9),
        )
    )
    rows = [
        middle.crop((0, y, middle.width, y + 10)).point(lambda v: 255 if v < 200 else 0).getbbox()
        for y in range(0, middle.height, 10)
    ]
    assert sum(r is not None for r in rows) / len(rows) > 0.35


def test_a_graded_check_needs_the_pass_mark_on_first_answers() -> None:
    from datetime import UTC, datetime

    from academy.cohort.lesson_progress import LessonProgress
    from academy.cohort.roster import Learner
    from academy.cohort.scores import LearnerScores

    check, practice = "c/check-it", "c/practice"
    requirements = certs.Requirements(
        exercises=[], lessons=[practice, check], checks=frozenset({check})
    )
    assert certs.claims(requirements) == (
        "passing its graded check and finishing its click-through lesson"
    )
    at = datetime(2030, 1, 1, tzinfo=UTC)
    row = LearnerScores(Learner("ana", "Ana", "ana@example.org"), {})
    done = LessonProgress(practice, 3, 3, True, at)

    def needs(right: int) -> list[str]:
        lessons = {practice: done, check: LessonProgress(check, 8, 8, True, at, 6, right)}
        return certs.missing_for(row, requirements, lessons, pass_mark=70)

    assert needs(5) == []  # 83%
    assert needs(4) == ["graded check c/check-it (67%, needs 70%)"]
    unfinished = {practice: done, check: LessonProgress(check, 4, 8, False, at, 3, 3)}
    assert certs.missing_for(row, requirements, unfinished, pass_mark=70) == ["lesson c/check-it"]


def test_what_one_learner_still_needs_for_my_progress(cohort) -> None:
    """learner_needs: the cohort's verdict for one roster learner, as My progress shows it."""
    folder, _ = cohort
    assert certs.learner_needs(folder, "ana", Progress(["ana"])) == []
    ben = certs.learner_needs(folder, "ben", Progress([]))
    assert ben == [
        certs.Need("exercise", "sums", "40%, needs 70%"),
        certs.Need("lesson", LESSON),
    ]
    assert [n.text for n in ben] == ["exercise sums (40%, needs 70%)", f"lesson {LESSON}"]
    assert certs.learner_needs(folder, "nobody", Progress([])) is None
