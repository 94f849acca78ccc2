"""`academy cohort grade --scheduler`: the sandboxed runs on a real 2-worker Dask cluster
give the same scores as the local pool; a worker killed mid-job loses no submission and
grades none twice; an unreachable scheduler is one line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cohort_support import (
    EXERCISE,
    GOOD,
    NOTEBOOK,
    PARTIAL,
    make_cohort,
    with_answers,
    write_notebook,
)
from dask_support import free_port, local_cluster

from academy.cohort.grade import grade_exercise
from academy.cohort.history import changes, verify_history
from academy.cohort.records import load_records
from academy.core.errors import AcademyError

pytestmark = pytest.mark.slow

SLOW = {
    **GOOD,
    "total-answer": "import time\ntime.sleep(2)\ndef total(values):\n    return sum(values)",
}
ANSWERS = {"ana": GOOD, "ben": PARTIAL, "cai": {}, "dot": SLOW, "eli": SLOW, "fox": SLOW}


def cohort_with_submissions(base: Path, name: str):
    folder = make_cohort(base / name, list(ANSWERS), name=name)
    for learner, answers in ANSWERS.items():
        write_notebook(
            folder.submitted(learner, EXERCISE) / NOTEBOOK, with_answers(folder, answers)
        )
    return folder


def scores(folder) -> dict[str, tuple[float, list[float | None]]]:
    return {
        r.learner: (r.score, [q.score for q in r.questions])
        for r in load_records(folder, EXERCISE).values()
    }


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with local_cluster(workers=2, log_dir=tmp_path_factory.mktemp("dask")) as running:
        yield running


def test_same_scores_as_the_local_pool(tmp_path, cluster) -> None:
    local = cohort_with_submissions(tmp_path, "local")
    remote = cohort_with_submissions(tmp_path, "remote")
    grade_exercise(local, EXERCISE, jobs=2)
    run = grade_exercise(remote, EXERCISE, scheduler=cluster.address)
    assert not run.unfinished and len(run.graded) == len(ANSWERS)
    assert scores(remote) == scores(local)
    assert scores(remote)["ana"][0] == 5 and scores(remote)["ben"][0] == 3


def test_worker_killed_mid_job_loses_nothing_and_grades_nothing_twice(tmp_path, cluster) -> None:
    from distributed import Client

    folder = cohort_with_submissions(tmp_path, "killed")
    finished: list[str] = []
    killed: list[str] = []

    def progress(done, total, record) -> None:
        if record is not None:
            finished.append(record.learner)

    def kill_a_busy_worker() -> None:
        with Client(cluster.address, timeout=10, set_as_default=False) as client:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                busy = [w for w, keys in client.processing().items() if keys]
                if busy:
                    pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
                    os.kill(pid, signal.SIGKILL)
                    killed.append(busy[0])
                    return
                time.sleep(0.05)

    import threading

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    run = grade_exercise(folder, EXERCISE, scheduler=cluster.address, progress=progress)
    killer.join()
    assert killed, "no worker was busy to kill"
    assert not run.unfinished
    assert sorted(finished) == sorted(ANSWERS)  # each learner finished exactly once
    graded = [c.learner for c in changes(folder, EXERCISE)]
    assert sorted(graded) == sorted(ANSWERS)  # one grade per learner in the history, none twice
    assert not verify_history(folder)
    got = scores(folder)
    assert set(got) == set(ANSWERS)
    assert got["ana"][0] == got["dot"][0] == got["eli"][0] == got["fox"][0] == 5
    assert got["ben"][0] == 3 and got["cai"][0] == 0


def test_unreachable_scheduler_is_one_line(tmp_path) -> None:
    folder = make_cohort(tmp_path, ["ana"], name="nowhere")
    write_notebook(folder.submitted("ana", EXERCISE) / NOTEBOOK, with_answers(folder, GOOD))
    address = f"127.0.0.1:{free_port()}"
    with pytest.raises(AcademyError) as caught:
        grade_exercise(folder, EXERCISE, scheduler=address)
    message = str(caught.value)
    assert message.startswith(f"--scheduler {address}: no Dask scheduler answered")
    assert "dask scheduler" in message and "\n" not in message
    assert not load_records(folder, EXERCISE)  # nothing half-graded


def test_unreachable_scheduler_from_the_command_line(tmp_path) -> None:
    folder = make_cohort(tmp_path, ["ana"], name="cli")
    academy = str(Path(sys.executable).parent / "academy")
    done = subprocess.run(
        [
            academy,
            "cohort",
            "grade",
            "cli",
            EXERCISE,
            "--scheduler",
            f"127.0.0.1:{free_port()}",
            "--dir",
            str(folder.path.parent),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "no Dask scheduler answered" in lines[0], done.stderr
    assert "Traceback" not in done.stderr


def test_worker_without_user_namespaces_refuses_in_one_line(monkeypatch) -> None:
    """A grading pod whose bubblewrap cannot make its sandbox (no user namespaces, masked
    /proc, a seccomp or AppArmor profile in the way) refuses the job in one line that
    says what to give the pod; it never runs the learner's code unsandboxed."""
    from typing import NamedTuple

    from academy.cohort import executor, sandbox

    class Runtime(NamedTuple):
        python: str
        mode: str
        bwrap: str

    complaint = "bwrap: Can't mount proc on /newroot/proc: Operation not permitted"
    monkeypatch.setattr(executor, "_probed", {})
    monkeypatch.setattr(sandbox, "_probe", lambda runtime: complaint)
    monkeypatch.setattr(sandbox, "_sysctl", lambda name: None)  # a pod, not the machine
    job = type("Job", (), {"runtime": Runtime(sys.executable, "bwrap", sys.executable)})()
    ran: list[object] = []
    with pytest.raises(executor.WorkerCannotGrade) as caught:
        executor._run_carrying_files(ran.append, job, {})
    message = str(caught.value)
    assert not ran and "\n" not in message
    assert message.startswith("bubblewrap cannot create a sandbox on this Dask worker")
    assert complaint in message
    for needed in ("seccompProfile Unconfined", "AppArmor unconfined", "procMount Unmasked"):
        assert needed in message
