"""Benchmark: the same 60 submissions graded by the local pool and by a 2-worker Dask cluster.

Two copies of one cohort (a real exercise, mixed like a class: mostly correct, some half
done, some untouched, a few looping) are graded in the same run: one with `academy
cohort grade --jobs 2`, one with `--scheduler` on a local cluster of two single-threaded
`dask worker` processes. Prints wall time and time per submission for each and checks
that every question's score is the same.

    ACADEMY_DATA_DIR=../shared/datasets .venv/bin/python bench/bench_grade_dask.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
MIX = {"correct": 33, "half": 12, "stub": 12, "looping": 3}


def main() -> None:
    from dask_support import local_cluster

    from academy.cohort.create import create_cohort
    from academy.cohort.folder import load_folder
    from academy.cohort.records import load_records
    from academy.cohort.release import release_exercise
    from academy.cohort.samples import hand_in_samples, sample_roster
    from academy.cohort.submissions import import_submissions

    exercise = sorted(p.parent.name for p in (ROOT / "exercises/source").glob("*/exercise.yml"))[0]
    scratch = Path(tempfile.mkdtemp(prefix="bench-grade-dask-"))
    os.environ["ACADEMY_ROOT"] = str(ROOT)
    academy = str(Path(sys.executable).parent / "academy")
    try:
        kinds = [kind for kind, count in MIX.items() for _ in range(count)]
        learners = [f"learner{i:02d}" for i in range(len(kinds))]
        roster = sample_roster(scratch / "roster.csv", learners)
        folder = create_cohort("bench", roster, ROOT, scratch / "local")
        release = release_exercise(folder, exercise)
        inbox = hand_in_samples(
            folder, release, dict(zip(learners, kinds, strict=True)), scratch / "inbox"
        )
        import_submissions(folder, exercise, inbox)
        shutil.copytree(folder.path, scratch / "dask" / "bench")
        load_folder(scratch / "dask" / "bench")
        print(f"{len(learners)} submissions of {exercise}: {MIX}; {os.cpu_count()} CPUs")

        def grade(where: str, *extra: str) -> float:
            started = time.monotonic()
            subprocess.run(
                [
                    academy,
                    "cohort",
                    "grade",
                    "bench",
                    exercise,
                    "--dir",
                    str(scratch / where),
                    *extra,
                ],
                check=True,
                capture_output=True,
            )
            return time.monotonic() - started

        load = [os.getloadavg()[0]]
        local = grade("local", "--jobs", "2")
        load.append(os.getloadavg()[0])
        with local_cluster(workers=2, log_dir=scratch) as cluster:
            on_dask = grade("dask", "--scheduler", cluster.address)
        load.append(os.getloadavg()[0])

        def scores(where: str) -> dict[tuple[str, str], float | None]:
            records = load_records(load_folder(scratch / where / "bench"), exercise)
            return {(r.learner, q.grade_id): q.score for r in records.values() for q in r.questions}

        same = scores("local") == scores("dask")
        n = len(learners)
        print(f"{'':28}{'wall':>10}{'per submission':>16}")
        print(f"{'local pool, 2 processes':28}{local:9.1f}s{local / n:15.2f}s")
        print(f"{'Dask, 2 workers':28}{on_dask:9.1f}s{on_dask / n:15.2f}s")
        print(
            f"Dask / local: {on_dask / local:.2f}x the time; scores identical: {same} "
            f"({len(scores('local'))} question scores); load before/between/after: "
            f"{' / '.join(f'{x:.1f}' for x in load)}"
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
