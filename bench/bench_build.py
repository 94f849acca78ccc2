"""Benchmark: cold `academy build` against a warm rebuild with nothing changed.

Builds a fresh copy of the checkout (the files git tracks) with an empty data cache, so
"cold" is what a new machine sees; your own build/ is left alone.
Target: the warm build takes at most 25% of the cold build's wall time.
Run: ACADEMY_DATA_DIR=... .venv/bin/python bench/bench_build.py [--city CITY]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from academy.build.pipeline import build

REPO = Path(__file__).resolve().parents[1]


def copy_checkout(target: Path) -> Path:
    files = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    )
    for name in files.stdout.splitlines():
        if (REPO / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, target / name)
    return target


def timed_build(root: Path, city: str | None) -> tuple[float, dict[str, float], list[str]]:
    start = time.perf_counter()
    report = build(root, city=city)
    return (
        time.perf_counter() - start,
        report.seconds,
        [f"{b.course_id}:{b.status}" for b in report.books],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--city", default=None)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="academy-bench-"))
    os.environ["ACADEMY_CACHE_DIR"] = str(scratch / "cache")
    root = copy_checkout(scratch / "academy")
    cold, cold_parts, cold_books = timed_build(root, args.city)
    warm, warm_parts, warm_books = timed_build(root, args.city)
    shutil.rmtree(scratch, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"cold build: {cold:6.1f} s  ({', '.join(f'{k} {v:.1f}' for k, v in cold_parts.items())})"
    )
    print(f"            books: {' '.join(cold_books)}")
    print(
        f"warm build: {warm:6.1f} s  ({', '.join(f'{k} {v:.1f}' for k, v in warm_parts.items())})"
    )
    print(f"            books: {' '.join(warm_books)}")
    print(f"warm / cold: {warm / cold:.1%} (target <= 25%)")
    print(f"peak RSS: build process {peak:.0f} MiB, largest worker {children:.0f} MiB")


if __name__ == "__main__":
    main()
