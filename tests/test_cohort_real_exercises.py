"""Every real exercise under exercises/source/ through a whole cohort, sandboxed.

The model answer earns full marks, the untouched stub earns zero and says "not attempted
yet", a half-done notebook lands in between, and every score equals what nbgrader's own
sequential autograde gives the same notebooks. The sandbox reads the city's data through
the read-only data mirror and cache only.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from academy.cohort.create import create_cohort
from academy.cohort.folder import load_folder, nbgrader_config
from academy.cohort.grade import grade_exercise
from academy.cohort.release import release_exercise
from academy.cohort.samples import hand_in_samples, sample_roster
from academy.cohort.submissions import import_submissions

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = sorted(p.parent.name for p in (ROOT / "exercises" / "source").glob("*/exercise.yml"))
KINDS = ["correct", "half", "stub"]

pytestmark = pytest.mark.slow


@pytest.mark.skipif(not EXERCISES, reason="no exercises in the academy yet")
@pytest.mark.parametrize("exercise", EXERCISES)
def test_a_real_exercise_grades_like_nbgrader(exercise, tmp_path, monkeypatch):
    from nbgrader.api import Gradebook
    from nbgrader.apps import NbGraderAPI

    monkeypatch.setenv("ACADEMY_ROOT", str(ROOT))  # nbgrader's own kernels need it to read data
    roster = sample_roster(tmp_path / "roster.csv", KINDS)
    folder = create_cohort("real", roster, ROOT, tmp_path / "cohorts")
    release = release_exercise(folder, exercise)
    inbox = hand_in_samples(folder, release, {kind: kind for kind in KINDS}, tmp_path / "inbox")
    import_submissions(folder, exercise, inbox)
    twin = tmp_path / "twin" / "real"
    shutil.copytree(folder.path, twin)

    run = grade_exercise(folder, exercise, jobs=2)
    assert run.sandbox == "bwrap", run.warning
    records = {r.learner: r for r in run.graded}
    total = release.manifest.total_points
    assert records["correct"].score == total, records["correct"].questions
    assert records["stub"].score == 0
    assert all(q.status == "not-attempted" for q in records["stub"].questions)
    assert 0 < records["half"].score < total

    api = NbGraderAPI(config=nbgrader_config(load_folder(twin)))
    notebook = release.manifest.notebook_id
    for kind in KINDS:
        assert api.autograde(exercise, kind, force=True, create=True)["success"]
    for kind in KINDS:
        with (
            Gradebook(folder.db_url, "real") as ours,
            Gradebook(f"sqlite:///{twin / 'gradebook.db'}", "real") as theirs,
        ):
            mine = {
                g.name: g.auto_score
                for g in ours.find_submission_notebook(notebook, exercise, kind).grades
            }
            nbg = {
                g.name: g.auto_score
                for g in theirs.find_submission_notebook(notebook, exercise, kind).grades
            }
        assert mine == nbg, kind


def _one_model_answer(tmp_path: Path, name: str):  # type: ignore[no-untyped-def]
    """A cohort of one learner who handed in the model answer of the first exercise."""
    exercise = EXERCISES[0]
    folder = create_cohort(
        name, sample_roster(tmp_path / "roster.csv", ["ana"]), ROOT, tmp_path / "cohorts"
    )
    release = release_exercise(folder, exercise)
    import_submissions(
        folder, exercise, hand_in_samples(folder, release, {"ana": "correct"}, tmp_path / "inbox")
    )
    return folder, exercise, release


def _mirror_of_links(tmp_path: Path, source: Path) -> Path:
    """A data mirror made only of symbolic links: each city folder is a link to a folder of
    links, each a relative link into a store of links to the real files elsewhere (every
    city: an exercise may read another city's files)."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for city in sorted(p for p in source.iterdir() if p.is_dir()):
        store = tmp_path / "store" / city.name
        store.mkdir(parents=True)
        links = tmp_path / "links" / city.name
        links.mkdir(parents=True)
        for real in city.iterdir():
            (store / real.name).symlink_to(real)
            (links / real.name).symlink_to(Path("../../store") / city.name / real.name)
        (mirror / city.name).symlink_to(links)
    return mirror


@pytest.mark.skipif(not EXERCISES, reason="no exercises in the academy yet")
def test_a_mirror_of_symlinks_grades_the_model_answer_in_full(tmp_path, monkeypatch):
    import os

    source = Path(os.environ.get("ACADEMY_DATA_DIR") or ROOT.parent / "shared" / "datasets")
    if not (source / "baltimore").is_dir():
        pytest.skip("no data mirror with the Baltimore files")
    monkeypatch.setenv("ACADEMY_DATA_DIR", str(_mirror_of_links(tmp_path, source)))
    monkeypatch.setenv("ACADEMY_CACHE_DIR", str(tmp_path / "cache"))  # nothing cached yet
    folder, exercise, release = _one_model_answer(tmp_path, "links")
    run = grade_exercise(folder, exercise, jobs=1)
    assert run.graded[0].score == release.manifest.total_points, run.graded[0].questions


@pytest.mark.skipif(not EXERCISES, reason="no exercises in the academy yet")
def test_data_the_sandbox_cannot_read_is_the_trainers_error_not_a_zero(tmp_path, monkeypatch):
    from academy.cohort import grade
    from academy.cohort.data_access import SandboxData
    from academy.cohort.records import load_records
    from academy.core.errors import AcademyError

    folder, exercise, _ = _one_model_answer(tmp_path, "nodata")
    real = grade.sandbox_data

    def without_files(*args):  # as if the mirror's files were out of the sandbox
        data = real(*args)
        return SandboxData(data.read_only[:-1], [], [], data.env)

    monkeypatch.setattr(grade, "sandbox_data", without_files)
    with pytest.raises(AcademyError, match="grading sandbox cannot read the data"):
        grade_exercise(folder, exercise, jobs=1)
    assert load_records(folder, exercise) == {}  # nobody scored
