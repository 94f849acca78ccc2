"""Benchmark: how fast a click-through lesson's first step is ready on the server, and what
each learner costs in memory.

Measured: the server-side time of the GET that renders a lesson (Voilà runs the lesson
notebook, so when the response ends the first step's widgets exist and the page can
connect to them), for 1 learner (one after another) and 20 concurrent learners, with and
without preheated kernels; and the resident memory (RSS) of each learner's kernel.
Targets (issue 4): p95 <= 1.5 s with 20 concurrent learners, <= 120 MB per learner.

    .venv/bin/python bench/bench_clickthrough.py            # about 2 minutes on 2 cores
    .venv/bin/python bench/bench_clickthrough.py --json out.json

Not a test: it prints a table (and writes JSON when asked).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
LESSON = "requests-and-rows/one-request-one-row"
CONCURRENT = 20
SINGLE_RUNS = 5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build(out: Path) -> None:
    from academy.clickthrough.build import build_clickthrough
    from academy.curriculum.loading import load_curriculum

    site = out / "site"
    site.mkdir(parents=True)
    (site / "index.html").write_text(
        "<!DOCTYPE html><html lang='en'><title>x</title><h1>x</h1></html>"
    )
    cur, _ = load_curriculum(REPO)
    build_clickthrough(cur, cur.city, out, site)  # academy.yml's city


def kernels(server: psutil.Process) -> list[psutil.Process]:
    found = []
    for child in server.children(recursive=True):
        try:
            if "ipykernel" in " ".join(child.cmdline()) and child.status() != psutil.STATUS_ZOMBIE:
                found.append(child)
        except psutil.Error:
            continue
    return found


def wait_quiet(server: psutil.Process, want: int, timeout: float = 180) -> None:
    """Wait until `want` kernels exist and the machine has calmed down."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        tree = [server, *kernels(server)]
        for p in tree:
            with contextlib.suppress(psutil.Error):
                p.cpu_percent(None)
        time.sleep(1.0)
        busy = 0.0
        for p in tree:
            with contextlib.suppress(psutil.Error):
                busy += p.cpu_percent(None)
        if len(tree) - 1 >= want and busy < 15:  # our server and kernels are idle
            return
    raise SystemExit(f"only {len(kernels(server))} of {want} kernels started in {timeout:.0f} s")


def fetch(url: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        body = response.read()
    seconds = time.perf_counter() - start
    if b"application/vnd.jupyter.widget-view+json" not in body:
        raise SystemExit(f"{url}: the lesson's widgets were not in the page")
    return seconds


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def run_mode(out: Path, preheat: bool) -> dict:
    port = free_port()
    home = out / f"home-{preheat}"
    home.mkdir()
    env = {**os.environ, "ACADEMY_HOME": str(home)}
    cmd = [
        sys.executable,
        "-m",
        "academy.serve.voila",
        "--lessons",
        str(out / "lessons"),
        "--site",
        str(out / "site"),
        "--port",
        str(port),
    ]
    cmd += ["--pool-size", "0", "--pool", f"{LESSON}={CONCURRENT}"] if preheat else ["--no-preheat"]
    log = open(home / "server.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = psutil.Process(proc.pid)
    url = f"http://127.0.0.1:{port}/lessons/{LESSON}/"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/voila/static/voila.js", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        wait_quiet(server, CONCURRENT if preheat else 0)
        single = []
        for _ in range(SINGLE_RUNS):
            single.append(fetch(url))
            wait_quiet(server, CONCURRENT if preheat else 0)  # let the pool refill
        with ThreadPoolExecutor(CONCURRENT) as pool:
            many = list(pool.map(fetch, [url] * CONCURRENT))
        time.sleep(2)
        rss = []
        for k in kernels(server):
            try:
                rss.append(k.memory_info().rss / 2**20)
            except psutil.Error:
                continue
        server_rss = server.memory_info().rss / 2**20
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    return {
        "mode": "preheated" if preheat else "cold",
        "single_p50": statistics.median(single),
        "single_p95": pct(single, 0.95),
        "concurrent_p50": statistics.median(many),
        "concurrent_p95": pct(many, 0.95),
        "kernel_rss_mb_mean": statistics.mean(rss) if rss else 0.0,
        "kernel_rss_mb_max": max(rss) if rss else 0.0,
        "kernels": len(rss),
        "server_rss_mb": server_rss,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="Also write the results here.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        build(out)
        results = [run_mode(out, preheat=True), run_mode(out, preheat=False)]
    print(
        f"lesson {LESSON}, {os.cpu_count()} cores; seconds until the first step is ready (server side)"
    )
    print(
        f"{'mode':<10} {'1 p50':>7} {'1 p95':>7} {'20 p50':>7} {'20 p95':>7} {'MB/learner':>11} {'max MB':>7} {'server MB':>9}"
    )
    for r in results:
        print(
            f"{r['mode']:<10} {r['single_p50']:7.3f} {r['single_p95']:7.3f} {r['concurrent_p50']:7.3f} "
            f"{r['concurrent_p95']:7.3f} {r['kernel_rss_mb_mean']:11.1f} {r['kernel_rss_mb_max']:7.1f} {r['server_rss_mb']:9.1f}"
        )
    target = next(r for r in results if r["mode"] == "preheated")
    print(
        f"targets: 20 concurrent p95 <= 1.5 s -> {target['concurrent_p95']:.3f} s; "
        f"<= 120 MB per learner -> {max(r['kernel_rss_mb_max'] for r in results):.1f} MB"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
