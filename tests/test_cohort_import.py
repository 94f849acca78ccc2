"""Importing submissions the way trainers receive them."""

from __future__ import annotations

import zipfile

import pytest
from cohort_support import EXERCISE, NOTEBOOK, make_cohort, release_notebook, write_notebook

from academy.cohort.submissions import import_note, import_submissions, match
from academy.core.errors import AcademyError

LEARNERS = ["ana", "ben", "cy.ng", "cy", "dee"]


@pytest.fixture
def folder(tmp_path):
    return make_cohort(tmp_path, LEARNERS)


def test_matching_uses_folders_whole_words_or_the_pattern():
    from pathlib import Path

    assert match(Path("ana/sums.ipynb"), LEARNERS, None)[0] == "ana"
    assert match(Path("ben/sums/sums.ipynb"), LEARNERS, None)[0] == "ben"
    assert match(Path("week1_cy.ng_final.ipynb"), LEARNERS, None)[0] == "cy.ng"  # longest id wins
    assert match(Path("cy-week1.ipynb"), LEARNERS, None)[0] == "cy"
    assert match(Path("banana.ipynb"), LEARNERS, None) == (
        None,
        "no roster id in its name or folders",
        {},
    )
    learner, reason, _ = match(Path("ana_and_ben.ipynb"), LEARNERS, None)
    assert learner is None and "several learners (ana, ben)" in reason
    learner, reason, _ = match(Path("zed_1.ipynb"), LEARNERS, r"(?P<student_id>[a-z]+)_")
    assert learner is None and "'zed' is not on the roster" in reason


def test_a_folder_of_learner_folders_and_flat_files(folder, tmp_path):
    notebook = release_notebook(folder)
    inbox = tmp_path / "inbox"
    write_notebook(inbox / "ana" / NOTEBOOK, notebook)
    write_notebook(inbox / "ben" / "sums" / NOTEBOOK, notebook)
    (inbox / "ben" / "sums" / "timestamp.txt").write_text("2030-02-01 10:00:00.000000 UTC")
    write_notebook(inbox / "dee_sums_attempt.ipynb", notebook)
    write_notebook(inbox / "stranger.ipynb", notebook)
    write_notebook(inbox / "__MACOSX" / "ana" / NOTEBOOK, notebook)
    write_notebook(inbox / "ana" / ".ipynb_checkpoints" / "sums-checkpoint.ipynb", notebook)
    report = import_submissions(folder, EXERCISE, inbox)
    assert [i.learner for i in report.imported] == ["ana", "ben", "dee"]
    assert [(u.origin, u.reason) for u in report.unmatched] == [
        ("inbox/stranger.ipynb", "no roster id in its name or folders")
    ]
    assert report.missing == ["cy.ng", "cy"]
    assert (folder.submitted("dee", EXERCISE) / NOTEBOOK).is_file()
    assert (
        (folder.submitted("ben", EXERCISE) / "timestamp.txt")
        .read_text()
        .startswith("2030-02-01 10:00:00")
    )
    assert import_note(folder, EXERCISE, "dee").renamed_from is None  # flat names are the LMS's


def test_nbgraders_exchange_inbound_takes_the_newest(folder, tmp_path):
    notebook = release_notebook(folder)
    inbound = tmp_path / "exchange" / "test" / "inbound"
    write_notebook(inbound / "ana+sums+2030-01-01 09:00:00.000000 UTC" / NOTEBOOK, notebook)
    notebook.cells[0].source += " (newer)"
    write_notebook(inbound / "ana+sums+2030-01-02 09:00:00.000000 UTC" / NOTEBOOK, notebook)
    report = import_submissions(folder, EXERCISE, inbound)
    assert [i.learner for i in report.imported] == ["ana"]
    assert "(newer)" in (folder.submitted("ana", EXERCISE) / NOTEBOOK).read_text()
    stamp = (folder.submitted("ana", EXERCISE) / "timestamp.txt").read_text()
    assert stamp.startswith("2030-01-02 09:00:00")


def test_a_zip_with_nested_zips_and_hostile_entries(folder, tmp_path):
    text = release_notebook(folder)
    import nbformat

    data = nbformat.writes(text)
    inner = tmp_path / "cy.zip"
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("homework.ipynb", data)
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("ana/sums.ipynb", data)
        z.writestr("../../escape.ipynb", data)
        z.writestr("/abs/ben.ipynb", data)
        z.write(inner, "cy.zip")
    report = import_submissions(folder, EXERCISE, archive)
    assert sorted(i.learner for i in report.imported) == ["ana", "cy"]
    cy = import_note(folder, EXERCISE, "cy")
    assert cy is not None and cy.renamed_from == "homework.ipynb"  # the learner named it
    assert (
        not (tmp_path / "escape.ipynb").exists()
        and not (folder.path.parent / "escape.ipynb").exists()
    )


def test_a_newer_submission_replaces_and_keeps_the_old_one(folder, tmp_path):
    notebook = release_notebook(folder)
    inbox = tmp_path / "inbox"
    write_notebook(inbox / "ana" / NOTEBOOK, notebook)
    import_submissions(folder, EXERCISE, inbox)
    again = import_submissions(folder, EXERCISE, inbox)
    assert again.imported[0].unchanged
    notebook.cells[0].source += " (second try)"
    write_notebook(inbox / "ana" / NOTEBOOK, notebook)
    third = import_submissions(folder, EXERCISE, inbox)
    assert third.imported[0].replaced
    kept = list((folder.state_dir / "replaced" / EXERCISE / "ana").glob("*/sums.ipynb"))
    assert len(kept) == 1 and "(second try)" not in kept[0].read_text()


def test_several_notebooks_for_one_learner_keep_the_expected_name(folder, tmp_path):
    notebook = release_notebook(folder)
    inbox = tmp_path / "inbox"
    write_notebook(inbox / "ana" / NOTEBOOK, notebook)
    write_notebook(inbox / "ana" / "scratch.ipynb", notebook)
    report = import_submissions(folder, EXERCISE, inbox)
    assert [i.learner for i in report.imported] == ["ana"]
    assert report.unmatched[0].origin == "inbox/ana/scratch.ipynb"
    assert "an older copy for ana" in report.unmatched[0].reason


def test_bad_sources_are_clear_errors(folder, tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(AcademyError, match="not a folder, a zip or a notebook"):
        import_submissions(folder, EXERCISE, tmp_path / "notes.txt")
    with pytest.raises(AcademyError, match="was not released"):
        import_submissions(folder, "other", tmp_path)
