"""Benchmark: `academy cohort grade` (sandboxed, parallel) against one `nbgrader autograde` call.

A cohort of 60 submissions of a real exercise (default: the first under
exercises/source), mixed like a real class: mostly correct, some half done, some
untouched, and a few with an endless loop in an answer. Both graders get the same
submissions and the same nbgrader configuration (same per-cell timeout); the script
prints wall time, time per submission and peak memory (all processes of each run, kernels
and sandboxes included) and checks that every learner's score on every question is the
same in both gradebooks.

Then two figures about the sandbox itself, one submission at a time: the cost of the
sandbox per submission (the same correct notebook run through `run_sandboxed` inside
bubblewrap and without it, `--unsafe-no-sandbox`'s path), and what the grading worker's
import surgery saves at start-up (nbgrader's Execute preprocessor imported whole, against
the modules it is made of only; see `academy.cohort.sandbox_worker`).

    ACADEMY_DATA_DIR=../shared/datasets .venv/bin/python bench/bench_grade.py [--jobs 2]
    .venv/bin/python bench/bench_grade.py --overhead-only     # just the two sandbox figures
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil

ROOT = Path(__file__).resolve().parents[1]
MIX = {"correct": 33, "half": 12, "stub": 12, "looping": 3}


def peak_rss(process: subprocess.Popen, stop: threading.Event, result: list[int]) -> None:
    """Sample the summed RSS of a process and all its descendants until told to stop."""
    peak = 0
    parent = psutil.Process(process.pid)
    while not stop.is_set():
        try:
            procs = [parent, *parent.children(recursive=True)]
        except psutil.Error:
            break
        total = 0
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                continue
        peak = max(peak, total)
        time.sleep(0.1)
    result.append(peak)


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, int, str]:
    """Wall time, peak memory (the process and its descendants) and output of a command."""
    stop, peak = threading.Event(), []
    started = time.monotonic()
    process = subprocess.Popen(
        argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    sampler = threading.Thread(target=peak_rss, args=(process, stop, peak))
    sampler.start()
    output, _ = process.communicate()
    wall = time.monotonic() - started
    stop.set()
    sampler.join()
    if process.returncode != 0:
        sys.exit(f"{argv[0]} failed:\n{output.decode()[-3000:]}")
    return wall, peak[0], output.decode()


def scores(
    folder: Path, exercise: str, notebook: str, learners: list[str]
) -> dict[tuple[str, str], float | None]:
    from nbgrader.api import Gradebook

    found = {}
    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}", folder.name) as gradebook:
        for learner in learners:
            for grade in gradebook.find_submission_notebook(notebook, exercise, learner).grades:
                found[(learner, grade.name)] = grade.auto_score
    return found


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def import_surgery(repeats: int) -> tuple[float, float]:
    """Median seconds to load nbgrader's Execute: whole packages, and the worker's way."""
    python = [sys.executable, "-I", "-c"]
    prelude = "import sys, time; sys.modules.setdefault('rfc3987_syntax', None); t = time.perf_counter(); "
    whole = prelude + "from nbgrader.preprocessors import Execute; print(time.perf_counter() - t)"
    lean = prelude + (
        "from academy.cohort.sandbox_worker import _load_nbgrader_execute; "
        "_load_nbgrader_execute(); print(time.perf_counter() - t)"
    )
    times: dict[str, list[float]] = {"whole": [], "lean": []}
    for _ in range(repeats):
        for name, code in (("whole", whole), ("lean", lean)):
            done = subprocess.run([*python, code], capture_output=True, text=True, check=True)
            times[name].append(float(done.stdout.strip()))
    return _median(times["whole"]), _median(times["lean"])


def sandbox_overhead(folder, exercise: str, notebook, repeats: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median seconds of one submission's run, inside bubblewrap and without it."""
    from academy.cohort.grade import Grader, GradeTask, sandbox_runtime
    from academy.cohort.manifest import load_manifest
    from academy.cohort.sandbox import run_sandboxed

    manifest = load_manifest(folder, exercise)
    path = folder.path / "overhead.ipynb"
    nbformat.write(notebook, path)
    times: dict[str, list[float]] = {"bwrap": [], "none": []}
    runtimes = {
        "bwrap": sandbox_runtime(folder, manifest),
        "none": sandbox_runtime(folder, manifest, unsafe_no_sandbox=True),
    }
    for _ in range(repeats):
        for name, runtime in runtimes.items():
            prepared = Grader(folder, manifest, runtime).prepare(
                GradeTask("overhead", path, (), None)
            )
            started = time.monotonic()
            result = run_sandboxed(prepared.job)  # type: ignore[union-attr]
            times[name].append(time.monotonic() - started)
            assert result.stop_reason is None, result.stop_reason
    return _median(times["bwrap"]), _median(times["none"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercise", help="exercise id (default: the first in exercises/source)")
    parser.add_argument(
        "--jobs", type=int, default=None, help="academy grade --jobs (default: CPUs)"
    )
    parser.add_argument(
        "--cell-timeout", type=int, default=30, help="per-cell timeout, both graders"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument(
        "--overhead-only", action="store_true", help="only the per-submission sandbox figures"
    )
    parser.add_argument("--repeats", type=int, default=5, help="runs per sandbox figure")
    args = parser.parse_args()

    from academy.cohort.create import create_cohort
    from academy.cohort.folder import load_folder, write_settings
    from academy.cohort.release import release_exercise
    from academy.cohort.samples import hand_in_samples, sample_roster
    from academy.cohort.settings import GradingLimits
    from academy.cohort.submissions import import_submissions

    exercise = (
        args.exercise
        or sorted(p.parent.name for p in (ROOT / "exercises/source").glob("*/exercise.yml"))[0]
    )
    scratch = Path(tempfile.mkdtemp(prefix="bench-grade-"))
    env = {
        **os.environ,
        "ACADEMY_ROOT": str(ROOT),
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    os.environ.update(env)
    try:
        kinds = [kind for kind, count in MIX.items() for _ in range(count)]
        learners = [f"learner{i:02d}" for i in range(len(kinds))]
        roster = sample_roster(scratch / "roster.csv", learners)
        folder = create_cohort("bench", roster, ROOT, scratch / "cohorts")
        settings = folder.settings.model_copy(
            update={"limits": GradingLimits(cell_timeout=args.cell_timeout)}
        )
        write_settings(folder.path, settings)
        folder = load_folder(folder.path)
        release = release_exercise(folder, exercise)
        inbox = hand_in_samples(
            folder, release, dict(zip(learners, kinds, strict=True)), scratch / "inbox"
        )
        import_submissions(folder, exercise, inbox)
        twin = scratch / "nbgrader" / "bench"
        shutil.copytree(folder.path, twin)
        load_folder(twin)  # rewrites its nbgrader_config.py for the copy's paths
        from academy.cohort.data_access import warm_data
        from academy.data.city import configured_city

        warm_data(ROOT, release.manifest.datasets, configured_city(ROOT))

        print(
            f"1-minute load average at the start: {os.getloadavg()[0]:.1f}; {os.cpu_count()} CPUs"
        )
        whole, lean = import_surgery(args.repeats)
        print(
            f"worker start-up, loading nbgrader's Execute: whole packages {whole:.2f} s, "
            f"the worker's way {lean:.2f} s (saves {whole - lean:.2f} s per submission)"
        )
        correct = inbox / learners[kinds.index("correct")] / release.manifest.notebook
        inside, outside = sandbox_overhead(
            folder, exercise, nbformat.read(correct, as_version=4), args.repeats
        )
        print(
            f"one correct submission, median of {args.repeats}: in bubblewrap {inside:.2f} s, "
            f"without a sandbox {outside:.2f} s (sandbox overhead {inside - outside:+.2f} s, "
            f"{100 * (inside - outside) / outside:+.0f}%)"
        )
        if args.overhead_only:
            return
        print(
            f"{len(learners)} submissions of {exercise}: {MIX}; cell timeout {args.cell_timeout} s; "
            f"{os.cpu_count()} CPUs"
        )
        loads = [os.getloadavg()[0]]
        nb_wall, nb_peak, _ = timed(["nbgrader", "autograde", exercise, "--force"], env, twin)
        loads.append(os.getloadavg()[0])
        grade = [
            str(Path(sys.executable).parent / "academy"),
            "cohort",
            "grade",
            "bench",
            exercise,
            "--dir",
            str(scratch / "cohorts"),
        ]
        if args.jobs:
            grade += ["--jobs", str(args.jobs)]
        ac_wall, ac_peak, output = timed(grade, env, ROOT)
        loads.append(os.getloadavg()[0])
        notebook = Path(release.manifest.notebook).stem
        ours = scores(folder.path, exercise, notebook, learners)
        theirs = scores(twin, exercise, notebook, learners)
        differ = sorted(k for k in theirs if ours.get(k) != theirs[k])
        n = len(learners)
        print(f"{'':24}{'wall':>10}{'per submission':>16}{'peak memory':>14}")
        print(
            f"{'nbgrader autograde':24}{nb_wall:9.1f}s{nb_wall / n:15.2f}s{nb_peak / 2**20:11.0f} MiB"
        )
        print(
            f"{'academy cohort grade':24}{ac_wall:9.1f}s{ac_wall / n:15.2f}s{ac_peak / 2**20:11.0f} MiB"
        )
        print(
            f"speed-up: {nb_wall / ac_wall:.2f}x; scores identical: {not differ} "
            f"({len(theirs)} question scores compared)"
        )
        sandbox = "bwrap" if "(bwrap sandbox)" in " ".join(output.split()) else "NOT SANDBOXED"
        print(
            f"academy sandbox: {sandbox}; 1-minute load average before/between/after: "
            f"{' / '.join(f'{x:.1f}' for x in loads)} (other work on the machine skews the figures)"
        )
        for key in differ[:20]:
            print(f"  differs: {key}: nbgrader {theirs[key]} academy {ours.get(key)}")
    finally:
        if args.keep:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
