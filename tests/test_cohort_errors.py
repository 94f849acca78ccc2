"""Every mistake a trainer can make on the command line is one line that names the file
and the fix, with a non-zero exit (issue 13, item 8), and rosters come as HR sends them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cohort_support import (
    ACADEMY,
    EXERCISE,
    make_cohort,
    release_notebook,
    write_notebook,
)

ACADEMY_BIN = str(Path(sys.executable).parent / "academy")


@pytest.fixture
def cli(tmp_path):
    env = {
        **os.environ,
        "ACADEMY_ROOT": str(ACADEMY),
        "ACADEMY_COHORTS_DIR": str(tmp_path / "cohorts"),
        "ACADEMY_PROGRESS_URL": f"sqlite:///{tmp_path / 'progress.sqlite'}",
        "COLUMNS": "200",
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [ACADEMY_BIN, *args], env=env, capture_output=True, text=True, timeout=180
        )

    return run


@pytest.fixture
def cohort(tmp_path):
    return make_cohort(tmp_path, ["ana", "ben"])


def one_error_line(done: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert done.returncode != 0, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.stderr
    assert "Traceback" not in done.stderr and "Errno" not in done.stderr, done.stderr
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


def test_a_roster_that_is_a_folder(cli, tmp_path):
    (tmp_path / "hr").mkdir()
    (tmp_path / "hr" / "roster.csv").write_text("id,name,email\n")
    line = one_error_line(cli("cohort", "create", "spring", "--roster", str(tmp_path / "hr")))
    assert "is a folder, not a roster file (it holds roster.csv)" in line


def test_outputs_to_a_place_that_cannot_be_written(cli, cohort):
    for command in (
        ("cohort", "report", "test", "--out", "/sys/academy-report"),
        ("cohort", "certificates", "test", "--out", "/sys/academy-certificates"),
        ("cohort", "export", "test", "--out", "/sys/academy-grades.csv"),
    ):
        one_error_line(cli(*command), "/sys/academy-", "cannot be written", "--out")


def test_an_out_path_whose_parent_is_a_file(cli, cohort, tmp_path):
    blocker = tmp_path / "grades.csv"
    blocker.write_text("not a folder")
    line = one_error_line(
        cli("cohort", "export", "test", "--out", str(blocker / "spring.csv")),
        f"{blocker} is a file, not a folder",
    )
    assert "choose another path" in line
    one_error_line(cli("cohort", "report", "test", "--out", str(blocker / "report")), "is a file")


def test_importing_a_path_that_does_not_exist(cli, cohort, tmp_path):
    one_error_line(
        cli("cohort", "import", "test", EXERCISE, str(tmp_path / "downlaod.zip")),
        "downlaod.zip: no such file or folder",
    )


def test_a_pattern_without_a_student_id_group(cli, cohort, tmp_path):
    write_notebook(tmp_path / "inbox" / "ana_sums.ipynb", release_notebook(cohort))
    one_error_line(
        cli("cohort", "import", "test", EXERCISE, str(tmp_path / "inbox"), "--pattern", r"^(\w+)_"),
        "no (?P<student_id>…) group",
    )


def test_an_import_that_matches_nobody_fails(cli, cohort, tmp_path):
    write_notebook(tmp_path / "inbox" / "smithjohn_55_66_sums.ipynb", release_notebook(cohort))
    done = cli("cohort", "import", "test", EXERCISE, str(tmp_path / "inbox"))
    one_error_line(done, "nothing imported", "lms_id")
    assert "Canvas user 55 (smithjohn) is not on the roster" in done.stderr


def test_a_semicolon_roster_with_crlf_bom_and_accents_is_read(cli, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_bytes(
        "\ufeffid;name;email;team\r\nana;Ana López;ana@city.gov;311\r\njo;José Núñez;jo@city.gov;\r\n".encode()
    )
    done = cli("cohort", "create", "spring", "--roster", str(roster))
    assert done.returncode == 0, done.stderr
    assert "separates values with semicolons" in done.stderr
    shown = cli("cohort", "roster", "show", "spring")
    assert "José Núñez" in shown.stdout and "Ana López" in shown.stdout


def test_an_excel_workbook_saved_as_csv_and_windows_1252_are_read(cli, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["ID", "Name", "Email"])
    book.active.append(["ana", "Ana López", "ana@city.gov"])
    book.save(tmp_path / "roster.csv")
    done = cli("cohort", "create", "excel", "--roster", str(tmp_path / "roster.csv"))
    assert done.returncode == 0 and "is an Excel workbook" in done.stderr, done.stderr
    legacy = tmp_path / "legacy.csv"
    legacy.write_bytes("id,name,email\r\njo,José Núñez,jo@city.gov\r\n".encode("cp1252"))
    done = cli("cohort", "create", "legacy", "--roster", str(legacy))
    assert done.returncode == 0 and "Windows-1252" in done.stderr, done.stderr
    assert "José Núñez" in cli("cohort", "roster", "show", "legacy").stdout
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    one_error_line(cli("cohort", "create", "photo", "--roster", str(binary)), "binary data")


def test_every_cohort_command_shows_the_recorded_city(cli, cohort):
    done = cli("cohort", "roster", "show", "test")
    assert "city fixture" in done.stderr
    assert "city fixture" in cli("cohort", "list").stdout


def test_the_csv_export_opens_in_excel_with_accents(cli, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name,email\njo,José Núñez,jo@city.gov\n", encoding="utf-8")
    assert cli("cohort", "create", "spring", "--roster", str(roster)).returncode == 0
    out = tmp_path / "out" / "grades.csv"
    done = cli("cohort", "export", "spring", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert "José Núñez" in out.read_bytes().decode("utf-8-sig")
