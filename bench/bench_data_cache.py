"""Benchmark: parsing the raw 311 CSV vs loading the cached canonical `service_requests`.

    ACADEMY_DATA_DIR=../shared/datasets .venv/bin/python bench/bench_data_cache.py [--repeat N]
    ACADEMY_DATA_DIR=../shared/datasets .venv/bin/python bench/bench_data_cache.py --results

For each city, best of N runs: `pandas.read_csv` of the published file (a bare parse,
no canonical columns); building the canonical table from the CSV (parse + adapter:
what `table()` does on a cache miss); and `table("service_requests", city=...)` with
a warm Parquet cache (the whole call: catalogue, pin check, cache read). Ratios are
against both. The cache lives in a temporary folder; the user's cache is untouched.
Targets (issue 3): cached load <= 0.5 s and >= 5x faster than building from the CSV.

`--results` times instead what every `academy build` asks of the data layer, each run in
a fresh process: `validate_datasets(root)` and every dataset's portal page, first with an
empty cache, then (best of N) with the cache that run left. Targets (issue 2): warm
validation < 0.5 s, all pages together < 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

import pandas as pd

from academy.core.paths import find_root
from academy.data import list_datasets, table
from academy.data.canonical import build_canonical
from academy.data.catalogue import load_canonical, primary_dataset
from academy.data.fetch import verified_path

CITIES = ("baltimore", "pittsburgh")
TARGET_SECONDS = 0.5
TARGET_RATIO = 5.0


def best_of(repeat: int, work: Callable[[], object]) -> float:
    """Fastest wall time of `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


RESULT_TARGETS = {"validate": 0.5, "pages": 1.0}
_RESULTS_RUN = """
import json, time
from academy.data import list_datasets, validate_datasets
from academy.data.cards import dataset_page
from academy.core.paths import find_root
root = find_root()
start = time.perf_counter()
validate_datasets(root)
middle = time.perf_counter()
for info in list_datasets(root):
    dataset_page(info.id, root)
print(json.dumps({"validate": middle - start, "pages": time.perf_counter() - middle}))
"""


def in_fresh_process(env: dict[str, str]) -> dict[str, float]:
    """Seconds for validation and for all dataset pages, in a new interpreter."""
    run = [sys.executable, "-c", _RESULTS_RUN]
    return json.loads(subprocess.run(run, env=env, check=True, capture_output=True).stdout)


def bench_results(repeat: int) -> bool:
    """Cold (empty cache) and warm timings of validation and pages; True when on target."""
    env = {**os.environ, "ACADEMY_CACHE_DIR": tempfile.mkdtemp(prefix="academy-bench-")}
    cold = in_fresh_process(env)
    runs = [in_fresh_process(env) for _ in range(repeat)]
    ok = True
    print(f"{'step':<10}{'cold':>9}{'warm':>9}{'target':>9}")
    for step, target in RESULT_TARGETS.items():
        warm = min(r[step] for r in runs)
        ok &= warm < target
        print(
            f"{step:<10}{cold[step]:>8.2f}s{warm:>8.2f}s{target:>8.2f}s  {'ok' if warm < target else 'MISSES TARGET'}"
        )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per measurement (best of N)")
    parser.add_argument(
        "--results", action="store_true", help="time validation and dataset pages instead"
    )
    args = parser.parse_args()
    if not os.environ.get("ACADEMY_DATA_DIR"):
        print("set ACADEMY_DATA_DIR to the datasets mirror (e.g. ../shared/datasets)")
        return 2
    if args.results:
        return 0 if bench_results(args.repeat) else 1
    root = find_root()
    os.environ["ACADEMY_CACHE_DIR"] = tempfile.mkdtemp(prefix="academy-bench-")
    list_datasets(root)  # warm imports
    failed = False
    print(
        f"{'city':<12}{'read_csv':>10}{'build':>10}{'cached':>10}"
        f"{'build/cached':>14}{'read_csv/cached':>17}"
    )
    for city in CITIES:
        info = primary_dataset("service_requests", city, root)
        path = verified_path(info)
        definition = load_canonical(root).tables["service_requests"]
        parse = best_of(args.repeat, lambda: pd.read_csv(path, encoding=info.encoding))  # noqa: B023
        build = best_of(args.repeat, lambda: build_canonical(info, definition, path))  # noqa: B023
        table("service_requests", city=city, root=root)  # fill the cache
        cached = best_of(args.repeat, lambda: table("service_requests", city=city, root=root))  # noqa: B023
        ok = cached <= TARGET_SECONDS and build / cached >= TARGET_RATIO
        failed |= not ok
        print(
            f"{city:<12}{parse * 1000:>8.1f}ms{build * 1000:>8.1f}ms{cached * 1000:>8.1f}ms"
            f"{build / cached:>13.1f}x{parse / cached:>16.1f}x  {'ok' if ok else 'MISSES TARGET'}"
        )
    print(
        "read_csv: pandas.read_csv of the published file, no canonical columns; build: parse and "
        "apply the adapter (what table() does without a cache); cached: table() with a warm "
        "Parquet cache, the whole call."
    )
    print(f"targets: cached <= {TARGET_SECONDS} s and build/cached >= {TARGET_RATIO:.0f}x")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
