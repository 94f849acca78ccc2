"""Importing submissions the way trainers receive them: LMS downloads, exchange folders,
folders per learner, flat files; and the imports a learner must not be able to forge."""

from __future__ import annotations

import json
import os
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath

import nbformat
import pytest
from cohort_support import (
    EXERCISE,
    GOOD,
    NOTEBOOK,
    make_cohort,
    release_notebook,
    with_answers,
    write_notebook,
)

from academy.cohort import submissions
from academy.cohort.handin import load_log
from academy.cohort.lms import canvas_slug, name_slugs, parse_download_path, read_worksheet
from academy.cohort.submissions import ImportOptions, import_note, import_submissions
from academy.core.errors import AcademyError

LEARNERS = ["ana", "ben", "cy.ng", "cy", "dee"]


@pytest.fixture
def folder(tmp_path):
    return make_cohort(tmp_path, LEARNERS)


def names(report):
    return sorted(h.learner for h in report.imported)


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
    assert names(report) == ["ana", "ben", "dee"]
    assert [u.origin for u in report.unmatched] == ["inbox/stranger.ipynb"]
    assert "no roster id in its name" in report.unmatched[0].reason
    assert report.missing == ["cy.ng", "cy"]
    ben = import_note(folder, EXERCISE, "ben")
    assert ben.source == "exchange" and ben.submitted_at == datetime(2030, 2, 1, 10, tzinfo=UTC)
    ana = import_note(folder, EXERCISE, "ana")
    assert ana.source == "import"  # never the file's own time unless asked
    assert (folder.submitted("ana", EXERCISE) / "timestamp.txt").is_file()
    assert any("no hand-in time in the download for ana, dee" in n for n in report.notes)
    assert import_note(folder, EXERCISE, "dee").renamed_from is None  # flat names are the LMS's


def test_the_trainer_gives_times_and_file_times_only_when_asked(folder, tmp_path):
    notebook = release_notebook(folder)
    inbox = tmp_path / "inbox"
    write_notebook(inbox / "ana" / NOTEBOOK, notebook)
    write_notebook(inbox / "ben" / NOTEBOOK, notebook)
    os.utime(inbox / "ben" / NOTEBOOK, (1_600_000_000, 1_600_000_000))
    when = datetime(2030, 3, 1, 9, 30, tzinfo=UTC)
    options = ImportOptions(submitted_at={"ana": when}, use_file_times=True)
    import_submissions(folder, EXERCISE, inbox, options=options)
    assert import_note(folder, EXERCISE, "ana").submitted_at == when
    assert import_note(folder, EXERCISE, "ana").source == "trainer"
    ben = import_note(folder, EXERCISE, "ben")
    assert ben.source == "file" and ben.submitted_at == datetime.fromtimestamp(1_600_000_000, UTC)


def test_nbgraders_exchange_inbound_takes_the_newest_and_this_exercise_only(folder, tmp_path):
    notebook = release_notebook(folder)
    inbound = tmp_path / "exchange" / "test" / "inbound"
    write_notebook(inbound / "ana+sums+2030-01-01 09:00:00.000000 UTC+a1b2" / NOTEBOOK, notebook)
    notebook.cells[0].source += " (newer)"
    write_notebook(inbound / "ana+sums+2030-01-02 09:00:00.000000 UTC+c3d4" / NOTEBOOK, notebook)
    write_notebook(inbound / "ben+other+2030-01-02 09:00:00.000000 UTC" / NOTEBOOK, notebook)
    report = import_submissions(folder, EXERCISE, inbound)
    assert names(report) == ["ana"]
    assert "(newer)" in (folder.submitted("ana", EXERCISE) / NOTEBOOK).read_text()
    stamp = (folder.submitted("ana", EXERCISE) / "timestamp.txt").read_text()
    assert stamp.startswith("2030-01-02 09:00:00")
    assert any("exchange hand-in of 'other', not 'sums'" in u.reason for u in report.unmatched)


def test_an_older_hand_in_never_replaces_a_newer_one(folder, tmp_path):
    notebook = release_notebook(folder)
    inbound = tmp_path / "inbound"
    write_notebook(inbound / "ana+sums+2030-01-02 09:00:00.000000 UTC" / NOTEBOOK, notebook)
    import_submissions(folder, EXERCISE, inbound)
    older = tmp_path / "older"
    stale = release_notebook(folder)
    stale.cells[0].source += " (old)"
    write_notebook(older / "ana+sums+2030-01-01 09:00:00.000000 UTC" / NOTEBOOK, stale)
    report = import_submissions(folder, EXERCISE, older)
    assert report.imported == [] and "before the one already imported" in report.unmatched[0].reason
    assert "(old)" not in (folder.submitted("ana", EXERCISE) / NOTEBOOK).read_text()
    # a download with no times: the first, then a newer one, then the first again
    first, second = tmp_path / "d1", tmp_path / "d2"
    write_notebook(first / "ben" / NOTEBOOK, with_answers(folder, {}))
    write_notebook(second / "ben" / NOTEBOOK, with_answers(folder, GOOD))
    import_submissions(folder, EXERCISE, first)
    assert import_submissions(folder, EXERCISE, second).replaced == ["ben"]
    again = import_submissions(folder, EXERCISE, first)
    assert again.imported == [] and "which a newer one has replaced" in again.unmatched[0].reason
    assert "return sum(values)" in (folder.submitted("ben", EXERCISE) / NOTEBOOK).read_text()
    rolled = import_submissions(folder, EXERCISE, first, options=ImportOptions(allow_older=True))
    assert names(rolled) == ["ben"]
    log = load_log(folder, EXERCISE, "ben")
    assert len(log.history) == 2  # nothing is forgotten


def test_links_are_never_followed(folder, tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "ana").mkdir(parents=True)
    source = folder.source(EXERCISE) / NOTEBOOK
    (inbox / "ana" / NOTEBOOK).symlink_to(source)
    (inbox / "ben").symlink_to(folder.source(EXERCISE))
    report = import_submissions(folder, EXERCISE, inbox)
    assert report.imported == []
    reasons = {u.origin: u.reason for u in report.unmatched}
    assert "links are never followed" in reasons["inbox/ana/sums.ipynb"]
    assert "links are never followed" in reasons["inbox/ben"]
    archive = tmp_path / "links.zip"
    with zipfile.ZipFile(archive, "w") as z:
        link = zipfile.ZipInfo("cy/sums.ipynb")
        link.external_attr = 0o120777 << 16
        z.writestr(link, str(source))
    report = import_submissions(folder, EXERCISE, archive)
    assert report.imported == [] and "symbolic link" in report.unmatched[0].reason


def test_another_exercise_or_the_source_is_refused_by_name_and_content(folder, tmp_path):
    inbox = tmp_path / "inbox"
    write_notebook(inbox / "ana" / NOTEBOOK, (folder.source(EXERCISE) / NOTEBOOK).read_bytes())
    other = release_notebook(folder)
    for cell in other.cells:
        if "nbgrader" in cell.metadata:
            cell.metadata["nbgrader"]["grade_id"] = "other-" + cell.metadata["nbgrader"]["grade_id"]
    write_notebook(inbox / "ben" / NOTEBOOK, other)
    report = import_submissions(folder, EXERCISE, inbox)
    reasons = {u.origin: u.reason for u in report.unmatched}
    assert "own source notebook" in reasons["inbox/ana/sums.ipynb"]
    assert "none of its graded cells belong to 'sums'" in reasons["inbox/ben/sums.ipynb"]
    assert report.imported == []


def test_an_exchange_folder_owned_by_someone_else_is_refused(folder, tmp_path, monkeypatch):
    notebook = release_notebook(folder)
    inbound = tmp_path / "inbound"
    write_notebook(inbound / "ana+sums+2030-01-02 09:00:00.000000 UTC" / NOTEBOOK, notebook)
    real_walk = submissions._walk

    def walk_as_ben(*args, **kwargs):
        real_walk(*args, **kwargs)
        found = args[2]
        found[:] = [submissions.Found(f.path, f.relative, f.origin, owner_uid=4242) for f in found]

    class Ben:
        pw_name = "ben"

    monkeypatch.setattr(submissions, "_walk", walk_as_ben)
    monkeypatch.setattr(submissions.pwd, "getpwuid", lambda uid: Ben())
    report = import_submissions(folder, EXERCISE, inbound)
    assert report.imported == []
    assert "for ana owned by ben" in report.unmatched[0].reason


def test_a_zip_with_nested_zips_and_hostile_members(folder, tmp_path, monkeypatch):
    data = nbformat.writes(release_notebook(folder))
    inner = tmp_path / "cy.zip"
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("homework.ipynb", data)
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("ana/sums.ipynb", data)
        z.writestr("../../escape.ipynb", data)
        z.writestr("/abs/ben.ipynb", data)
        z.writestr("dee/sums.ipynb", data + " " * 5000)
        z.write(inner, "cy.zip")
    monkeypatch.setattr(submissions, "MAX_MEMBER_BYTES", len(data) + 2000)
    report = import_submissions(folder, EXERCISE, archive)
    assert names(report) == ["ana", "cy"]  # one bad member never stops the others
    reasons = {u.origin: u.reason for u in report.unmatched}
    assert "too large" in reasons["download.zip/dee/sums.ipynb"]
    assert "leaves the zip" in reasons["download.zip/../../escape.ipynb"]
    assert import_note(folder, EXERCISE, "cy").renamed_from == "homework.ipynb"
    assert not (tmp_path / "escape.ipynb").exists()


def test_a_damaged_member_is_skipped_and_reported(folder, tmp_path):
    data = nbformat.writes(release_notebook(folder)).encode()
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("ana/sums.ipynb", data)
        z.writestr("ben/sums.ipynb", data)
    raw = bytearray(archive.read_bytes())
    start = raw.find(b"ben/sums.ipynb") + len("ben/sums.ipynb")
    raw[start + 10 : start + 40] = b"\x00" * 30  # corrupt ben's compressed data
    archive.write_bytes(bytes(raw))
    report = import_submissions(folder, EXERCISE, archive)
    assert names(report) == ["ana"]
    assert "cannot be unpacked" in report.unmatched[0].reason


def test_several_notebooks_for_one_learner_keep_the_expected_name(folder, tmp_path):
    notebook = release_notebook(folder)
    inbox = tmp_path / "inbox"
    write_notebook(inbox / "ana" / NOTEBOOK, notebook)
    write_notebook(inbox / "ana" / "scratch.ipynb", notebook)
    report = import_submissions(folder, EXERCISE, inbox)
    assert names(report) == ["ana"]
    assert report.unmatched[0].origin == "inbox/ana/scratch.ipynb"
    assert "an older copy for ana" in report.unmatched[0].reason


def test_bad_sources_are_clear_errors(folder, tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(AcademyError, match="not a folder, a zip or a notebook"):
        import_submissions(folder, EXERCISE, tmp_path / "notes.txt")
    with pytest.raises(AcademyError, match="no such file or folder"):
        import_submissions(folder, EXERCISE, tmp_path / "nowhere.zip")
    with pytest.raises(AcademyError, match=r"no .*student_id.* group"):
        import_submissions(folder, EXERCISE, tmp_path, pattern=r"^(\w+)_")
    with pytest.raises(AcademyError, match="was not released"):
        import_submissions(folder, "other", tmp_path)


# --- learning platforms --------------------------------------------------------------


def test_canvas_and_moodle_names_are_read_as_the_platforms_write_them():
    late = parse_download_path(PurePosixPath("lopezana_LATE_101_9001_sums.ipynb"))
    assert (late.platform, late.slug, late.user_id, late.late, late.order, late.filename) == (
        "canvas",
        "lopezana",
        "101",
        True,
        9001,
        "sums.ipynb",
    )
    on_time = parse_download_path(PurePosixPath("garcíajosé_102_9002_my_sums_v2.ipynb"))
    assert on_time.late is False and on_time.filename == "my_sums_v2.ipynb"
    anonymous = parse_download_path(PurePosixPath("LATE_anon_Xy12z_9003_sums.ipynb"))
    assert anonymous.anonymous and anonymous.late
    folder = parse_download_path(
        PurePosixPath("Ana López_1234567_assignsubmission_file/sums.ipynb")
    )
    assert (folder.platform, folder.fullname, folder.participant) == (
        "moodle",
        "Ana López",
        "1234567",
    )
    flat = parse_download_path(PurePosixPath("Ben Okafor_7654321_assignsubmission_file_sums.ipynb"))
    assert flat.fullname == "Ben Okafor" and flat.filename == "sums.ipynb"
    assert parse_download_path(PurePosixPath("ana/sums.ipynb")) is None
    assert canvas_slug("López, José-María") == "lópezjosémaría"
    assert "garciamariajose" in name_slugs("María José García")


def canvas_download(path: Path, files: dict[str, str]) -> Path:
    """A zip laid out as Canvas's Download Submissions makes it: flat, every member
    stamped with the download time (as Canvas's zipper does)."""
    now = datetime.now().timetuple()[:6]
    with zipfile.ZipFile(path, "w") as z:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=now)
            z.writestr(info, text)
    return path


def excel_roster(path: Path, rows: list[list[str]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "HR export"
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


PEOPLE = [
    ["e1001", "Ana López", "ana@city.example.gov", "311", 101],
    ["e1002", "José García Pérez", "jose@city.example.gov", "Parks", None],
    ["e1003", "Zoë Brown", "zoe@city.example.gov", "311", 103],
    ["e1004", "Sam Lee", "sam@city.example.gov", "311", 104],
]


def test_a_canvas_download_and_an_excel_roster(tmp_path):
    from cohort_support import ACADEMY

    from academy.cohort.create import create_cohort
    from academy.cohort.release import release_exercise

    roster = excel_roster(
        tmp_path / "HR roster.xlsx",
        [["Employee ID", "Full Name", "E-mail", "Team", "Canvas ID"], *PEOPLE],
    )
    with pytest.raises(AcademyError, match=r"unknown column.*'employee_id'"):
        create_cohort("canvas", roster, ACADEMY, tmp_path / "cohorts")
    roster = excel_roster(
        tmp_path / "roster.xlsx",
        [["id", "name", "E-mail", "team", "Canvas ID"], *PEOPLE],
    )
    folder = create_cohort("canvas", roster, ACADEMY, tmp_path / "cohorts")
    due = datetime(2030, 1, 1, 17, 0)
    release_exercise(folder, EXERCISE, due=due)
    data = nbformat.writes(with_answers(folder, GOOD))
    download = canvas_download(
        tmp_path / "course-sums submissions.zip",
        {
            "lopezana_101_5001_sums.ipynb": data,
            "garcíapérezjosé_LATE_999_5002_sums-1.ipynb": data,  # no lms_id: by name
            "brownzoë_LATE_103_5003_Sums (final).ipynb": data,
            "leesam_104_4990_sums.ipynb": data,
            "leesam_104_5004_sums.ipynb": data.replace("sum(values)", "sum(list(values))"),
            "stranger_555_5005_sums.ipynb": data,
        },
    )
    report = import_submissions(folder, EXERCISE, download)
    assert names(report) == ["e1001", "e1002", "e1003", "e1004"]  # every learner matched
    notes = {h.learner: h for h in report.imported}
    assert notes["e1001"].lms_late is False and notes["e1003"].lms_late is True
    assert notes["e1002"].matched_by_name and notes["e1002"].lms_late is True
    assert notes["e1003"].renamed_from == "Sums (final).ipynb"
    assert "sum(list(values))" in (folder.submitted("e1004", EXERCISE) / NOTEBOOK).read_text()
    # the download's file times are not hand-in times: on-time work is not made late
    assert not (folder.submitted("e1001", EXERCISE) / "timestamp.txt").exists()
    assert any("LATE without a time" in n for n in report.notes)
    assert any(
        "Canvas user 555 (stranger) is not on the roster" in u.reason for u in report.unmatched
    )
    # a re-download with Sam's earlier upload only: Canvas's upload order says it is older
    older = canvas_download(tmp_path / "old.zip", {"leesam_104_4990_sums.ipynb": data})
    again = import_submissions(folder, EXERCISE, older)
    assert again.imported == [] and "earlier upload to canvas" in again.unmatched[0].reason


def test_a_moodle_download_with_its_grading_worksheet(folder, tmp_path):
    data = nbformat.writes(release_notebook(folder))
    download = tmp_path / "moodle.zip"
    with zipfile.ZipFile(download, "w") as z:
        z.writestr("Learner Ana_1111111_assignsubmission_file/sums.ipynb", data)
        z.writestr("Learner Ben_2222222_assignsubmission_file/week one.ipynb", data)
        z.writestr("Someone Else_3333333_assignsubmission_file/sums.ipynb", data)
    worksheet = tmp_path / "Grades-course-sums.csv"
    worksheet.write_text(
        "Identifier,Full name,Email address,Status,Grade,Maximum Grade,Grade can be changed,"
        "Last modified (submission),Online text,Last modified (grade),Feedback comments\n"
        "Participant 1111111,Learner Ana,ana@city.example.gov,Submitted for grading,,5,Yes,"
        '"Tuesday, 1 January 2030, 4:05 PM",,-,\n'
        'Participant 2222222,Learner Ben,ben@city.example.gov,"Submitted for grading, 2 days late",,5,'
        'Yes,"Thursday, 3 January 2030, 9:00 AM",,-,\n'
    )
    options = ImportOptions(worksheet=read_worksheet(worksheet, zone=UTC))
    report = import_submissions(folder, EXERCISE, download, options=options)
    assert names(report) == ["ana", "ben"]
    ana, ben = sorted(report.imported, key=lambda h: h.learner)
    assert ana.source == "lms" and ana.submitted_at == datetime(2030, 1, 1, 16, 5, tzinfo=UTC)
    assert ben.lms_late is True and ben.renamed_from == "week one.ipynb"
    assert "Someone Else (participant 3333333) is not on the roster" in report.unmatched[0].reason
    # without the worksheet, Moodle's full names still match (accents and case aside)
    other = make_cohort(tmp_path / "second", ["ana"], name="second")
    plain = import_submissions(other, EXERCISE, download)
    assert names(plain) == ["ana"] and plain.imported[0].matched_by_name
    with pytest.raises(AcademyError, match="not a Moodle grading worksheet"):
        read_worksheet(tmp_path / "second" / "second-roster.csv")


def test_hand_in_records_are_json_anyone_can_read(folder, tmp_path):
    inbox = tmp_path / "inbox"
    write_notebook(inbox / "ana" / NOTEBOOK, release_notebook(folder))
    import_submissions(
        folder,
        EXERCISE,
        inbox,
        options=ImportOptions(
            submitted_at={"": datetime(2030, 1, 1, tzinfo=UTC) - timedelta(hours=1)}
        ),
    )
    data = json.loads((folder.state_dir / "imports" / EXERCISE / "ana.json").read_text())
    assert data["current"]["source"] == "trainer" and data["history"] == []
