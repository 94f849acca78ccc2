"""Benchmark: a class of 30 opening the same lesson within one second, and what each
learner costs in memory.

Measured, for signed-in learners: the server-side time of the GET that gives the lesson's
first screen (when it ends the first step's widgets exist in the learner's kernel and the
page can connect to them): one cold kernel start (no warm kernels: the baseline), then
30 learners opening one lesson within one second with the default settings and with the
class size given (--class-size 30); the resident memory (RSS) of each learner's kernel
and the memory budget the defaults imply for a 24 GB machine.
Goal (issue 14): 30-learner p95 <= 2 x one cold kernel start, measured in the same run.

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
CONCURRENT = 30
BURST_SECONDS = 1.0
SINGLE_RUNS = 3


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


def signed_in(base: str, name: str) -> urllib.request.OpenerDirector:
    from http.cookiejar import CookieJar
    from urllib.parse import urlencode

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    opener.open(f"{base}/sign-in/", data=urlencode({"learner": name}).encode()).read()
    return opener


def fetch(opener: urllib.request.OpenerDirector, url: str, delay: float = 0.0) -> float:
    time.sleep(delay)
    start = time.perf_counter()
    with opener.open(url, timeout=180) as response:
        body = response.read()
    seconds = time.perf_counter() - start
    if b"application/vnd.jupyter.widget-view+json" not in body:
        raise SystemExit(f"{url}: the lesson's widgets were not in the page")
    return seconds


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def run_mode(out: Path, mode: str, class_size: int | None) -> dict:
    port = free_port()
    home = out / f"home-{mode}"
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
    if class_size is not None:
        cmd += ["--class-size", str(class_size)]
    warm = 30 if class_size is None else class_size  # the default class size
    log = open(home / "server.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = psutil.Process(proc.pid)
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/lessons/{LESSON}/"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{base}/voila/static/voila.js", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        wait_quiet(server, warm)
        openers = [signed_in(base, f"learner {n}") for n in range(CONCURRENT)]
        single: list[float] = []
        many: list[float] = []
        if class_size == 0:
            for opener in openers[:SINGLE_RUNS]:
                single.append(fetch(opener, url))
                wait_quiet(server, 0, timeout=60)
        else:
            delays = [BURST_SECONDS * n / CONCURRENT for n in range(CONCURRENT)]
            with ThreadPoolExecutor(CONCURRENT) as pool:
                many = list(
                    pool.map(
                        lambda a: fetch(*a),
                        [(o, url, d) for o, d in zip(openers, delays, strict=True)],
                    )
                )
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
    values = single or many
    return {
        "mode": mode,
        "opens": len(values),
        "p50": statistics.median(values),
        "p95": pct(values, 0.95),
        "kernel_rss_mb_mean": statistics.mean(rss) if rss else 0.0,
        "kernel_rss_mb_max": max(rss) if rss else 0.0,
        "kernels": len(rss),
        "server_rss_mb": server_rss,
    }


def main() -> None:
    from academy.serve.kernels import DEFAULT_CLASS_SIZE, KERNEL_MB, KernelBudget

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="Also write the results here.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        build(out)
        results = [
            run_mode(out, "cold (1 at a time)", 0),
            run_mode(out, "30 at once, defaults", None),
            run_mode(out, "30 at once, --class-size 30", CONCURRENT),
        ]
    print(f"lesson {LESSON}, {os.cpu_count()} cores; seconds until the first screen (server side)")
    print(
        f"{'mode':<30} {'opens':>5} {'p50':>7} {'p95':>7} {'MB/learner':>11} {'max MB':>7} {'server MB':>9}"
    )
    for r in results:
        print(
            f"{r['mode']:<30} {r['opens']:5d} {r['p50']:7.3f} {r['p95']:7.3f} "
            f"{r['kernel_rss_mb_mean']:11.1f} {r['kernel_rss_mb_max']:7.1f} {r['server_rss_mb']:9.1f}"
        )
    cold = results[0]["p50"]
    burst = results[1]["p95"]
    print(
        f"goal: 30 at once p95 <= 2 x one cold start: {burst:.3f} s vs 2 x {cold:.3f} s "
        f"= {2 * cold:.3f} s ({burst / cold:.1f}x)"
    )
    mb = max(r["kernel_rss_mb_max"] for r in results)
    budget = KernelBudget(memory_mb=24 * 1024 // 2)
    print(
        f"memory: {mb:.0f} MB per learner kernel (budgeted at {KERNEL_MB} MB); the defaults keep "
        f"{DEFAULT_CLASS_SIZE} warm kernels (~{DEFAULT_CLASS_SIZE * mb / 1024:.1f} GB) and allow "
        f"{budget.max_kernels} kernels in half of a 24 GB machine ({budget.memory_mb} MB)"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
