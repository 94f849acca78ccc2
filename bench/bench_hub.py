"""Benchmark: 30 learners sign in to one `academy hub` and open a click-through lesson.

Each simulated learner is an HTTP and websocket client (not a browser): it signs in,
waits for its server, asks for a lesson page (Voilà runs the lesson in a new kernel),
then opens the kernel's websocket and asks for the widgets' state, which is what a
browser needs to draw the first step. Learners arrive over `--ramp` seconds, as a class
does. The script prints spawn time and time to the first lesson step (p50, p95, max),
the memory of each learner's server with its lesson kernel, and from these how many
learners a node holds. Progress goes to a private PostgreSQL, as on a real hub.

    ACADEMY_DATA_DIR=../shared/datasets .venv/bin/python bench/bench_hub.py \
        [--learners 30] [--ramp 60] [--node-gib 24]

Needs the academy built (`academy build`) and configurable-http-proxy (`npm ci`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
LESSON = "requests-and-rows/one-request-one-row"
#: Memory kept back on a node for the system, the kubelet and the hub's own pods.
NODE_RESERVE_GIB = 2.0


@dataclass
class Result:
    learner: str
    spawn: float | None = None
    first_step: float | None = None
    error: str | None = None
    timings: dict[str, float] = field(default_factory=dict)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


class Client:
    """One learner's cookies and requests (tornado's async HTTP client)."""

    def __init__(self, base: str):
        from tornado.httpclient import AsyncHTTPClient

        self.base = base
        self.http = AsyncHTTPClient(force_instance=True, defaults={"request_timeout": 600})
        self.cookies: dict[str, str] = {}

    def _remember(self, response) -> None:  # type: ignore[no-untyped-def]
        for header in response.headers.get_list("Set-Cookie"):
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    async def request(self, path: str, method: str = "GET", body: str | None = None, **headers):  # type: ignore[no-untyped-def]
        from tornado.httpclient import HTTPClientError

        url = path if path.startswith("http") else self.base + path
        for _ in range(20):  # follow redirects by hand, keeping cookies
            try:
                response = await self.http.fetch(
                    url,
                    method=method,
                    body=body,
                    headers={"Cookie": self.cookie_header(), **headers},
                    follow_redirects=False,
                    raise_error=False,
                )
            except HTTPClientError as exc:  # pragma: no cover - network trouble
                raise RuntimeError(str(exc)) from exc
            self._remember(response)
            if response.code in (301, 302, 303, 307) and "Location" in response.headers:
                location = response.headers["Location"]
                url = location if location.startswith("http") else self.base + location
                method, body = "GET", None
                continue
            return response
        raise RuntimeError(f"too many redirects from {path}")


async def learner_session(base: str, name: str, password: str, delay: float) -> Result:
    from tornado.websocket import websocket_connect

    result = Result(name)
    await asyncio.sleep(delay)
    client = Client(base)
    try:
        await client.request("/hub/login")
        xsrf = client.cookies.get("_xsrf", "")
        started = time.monotonic()
        await client.request(
            "/hub/login",
            method="POST",
            body=urlencode({"username": name, "password": password, "_xsrf": xsrf}),
        )
        deadline = started + 600
        while True:  # the spawn-pending page until the server answers
            status = await client.request(f"/user/{name}/api/status")
            if status.code == 200:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not ready: HTTP {status.code}")
            await client.request(f"/hub/spawn-pending/{name}")
            await asyncio.sleep(0.5)
        result.spawn = time.monotonic() - started
        opened = time.monotonic()
        page = await client.request(f"/user/{name}/academy/lessons/{LESSON}/")
        if page.code != 200:
            raise RuntimeError(f"lesson page: HTTP {page.code}")
        html = page.body.decode()
        result.timings["page"] = time.monotonic() - opened
        kernel_id = html.split('"kernelId": "', 1)[1].split('"', 1)[0]
        ws_url = base.replace("http", "ws", 1) + f"/user/{name}/api/kernels/{kernel_id}/channels"
        from tornado.httpclient import HTTPRequest

        socket = await websocket_connect(
            HTTPRequest(ws_url, headers={"Cookie": client.cookie_header()})
        )
        comm = str(uuid.uuid4())

        from ipywidgets.widgets.widget import __control_protocol_version__ as control

        def message(msg_type: str, content: dict, metadata: dict | None = None) -> str:
            return json.dumps(
                {
                    "header": {
                        "msg_id": str(uuid.uuid4()),
                        "msg_type": msg_type,
                        "username": name,
                        "session": comm,
                        "version": "5.3",
                        "date": "",
                    },
                    "parent_header": {},
                    "metadata": metadata or {},
                    "content": content,
                    "channel": "shell",
                    "buffers": [],
                }
            )

        await socket.write_message(
            message(
                "comm_open",
                {
                    "comm_id": comm,
                    "target_name": "jupyter.widget.control",
                    "data": {},
                },
                {"version": control},
            )
        )
        await socket.write_message(
            message("comm_msg", {"comm_id": comm, "data": {"method": "request_states"}})
        )
        while True:
            raw = await asyncio.wait_for(socket.read_message(), timeout=300)
            if raw is None:
                raise RuntimeError("kernel websocket closed")
            msg = json.loads(raw) if isinstance(raw, str) else {}
            data = msg.get("content", {}).get("data", {})
            if msg.get("msg_type") == "comm_msg" and data.get("method") == "update_states":
                states = data.get("states", {})
                titles = [
                    s.get("state", {}).get("value", "")
                    for s in states.values()
                    if "academy-step-heading" in s.get("state", {}).get("value", "")
                ]
                if not titles:
                    raise RuntimeError("no lesson step in the widgets' state")
                break
        socket.close()
        result.first_step = time.monotonic() - opened
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {exc}"[:300]
    return result


def server_memory(hub_pid: int) -> dict[str, int]:
    """{learner: RSS of their server and its kernels}, from the hub's process tree."""
    out: dict[str, int] = {}
    for child in psutil.Process(hub_pid).children(recursive=True):
        try:
            env = child.environ()
        except psutil.Error:
            continue
        user = env.get("JUPYTERHUB_USER")
        if not user or "singleuser" not in " ".join(child.cmdline()):
            continue
        total = child.memory_info().rss
        for sub in child.children(recursive=True):
            try:
                total += sub.memory_info().rss
            except psutil.Error:
                continue
        out[user] = total
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--ramp", type=float, default=60.0, help="seconds over which they arrive")
    parser.add_argument("--node-gib", type=float, default=24.0, help="memory of one node")
    args = parser.parse_args()

    from hub_support import PASSWORD, running_hub
    from postgres_support import running_server
    from site_browser import free_port

    from academy.cohort.create import create_cohort
    from academy.progress.store import ProgressStore

    if not (ROOT / "build" / "lessons" / f"{LESSON}.ipynb").is_file():
        sys.exit("build the academy first: .venv/bin/academy build")
    scratch = Path(tempfile.mkdtemp(prefix="bench-hub-"))
    learners = [f"learner{i:02d}" for i in range(1, args.learners + 1)]
    roster = scratch / "roster.csv"
    roster.write_text(
        "id,name,email\n"
        + "".join(f"{x},Learner {x[-2:]},{x}@city.example.gov\n" for x in learners)
    )
    os.environ["ACADEMY_HOME"] = str(scratch / "home")
    create_cohort("bench-hub", roster, ROOT, scratch / "cohorts", track="foundations")
    with (
        running_server() as progress_url,
        running_hub(
            "bench-hub", scratch / "cohorts", scratch / "hub", free_port(), progress_url
        ) as hub,
    ):
        baseline = sum(
            p.memory_info().rss
            for p in [
                psutil.Process(hub.process.pid),
                *psutil.Process(hub.process.pid).children(recursive=True),
            ]
        )
        print(
            f"{len(learners)} learners arriving over {args.ramp:g} s; lesson {LESSON}; "
            f"{os.cpu_count()} CPUs; load {os.getloadavg()[0]:.1f}"
        )

        async def everyone() -> list[Result]:
            gap = args.ramp / max(1, len(learners) - 1)
            return await asyncio.gather(
                *(learner_session(hub.url, n, PASSWORD, i * gap) for i, n in enumerate(learners))
            )

        started = time.monotonic()
        results = asyncio.run(everyone())
        wall = time.monotonic() - started
        memory = server_memory(hub.process.pid)
        hub_tree = [
            psutil.Process(hub.process.pid),
            *psutil.Process(hub.process.pid).children(recursive=True),
        ]
        hub_only = sum(
            p.memory_info().rss
            for p in hub_tree
            if "singleuser" not in " ".join(p.cmdline())
            and "ipykernel" not in " ".join(p.cmdline())
        )
        failed = [r for r in results if r.error]
        spawns = [r.spawn for r in results if r.spawn is not None]
        steps = [r.first_step for r in results if r.first_step is not None]
        print(
            f"finished in {wall:.0f} s; {len(failed)} learner(s) failed; load {os.getloadavg()[0]:.1f}"
        )
        for r in failed[:5]:
            print(f"  {r.learner}: {r.error}")
        for label, values in (("spawn", spawns), ("first lesson step", steps)):
            if values:
                print(
                    f"{label:18} p50 {percentile(values, 50):6.1f} s  p95 {percentile(values, 95):6.1f} s"
                    f"  max {max(values):6.1f} s  (n={len(values)})"
                )
        if memory:
            per = sorted(memory.values())
            p50, p95 = percentile(per, 50) / 2**20, percentile(per, 95) / 2**20
            print(
                f"memory per learner (server + lesson kernel): p50 {p50:.0f} MiB, p95 {p95:.0f} MiB, "
                f"max {per[-1] / 2**20:.0f} MiB; hub + proxy + culler {hub_only / 2**20:.0f} MiB "
                f"(before anyone signed in: {baseline / 2**20:.0f} MiB)"
            )
            usable = (args.node_gib - NODE_RESERVE_GIB) * 1024 - hub_only / 2**20
            print(
                f"one {args.node_gib:g} GiB node (keeping {NODE_RESERVE_GIB:g} GiB for the system): "
                f"{int(usable // p95)} learners at the p95 figure, {int(usable // p50)} at the median"
            )
        store = ProgressStore(progress_url)
        print(
            f"progress store reachable: {store.reachable}; lessons registered: {store.steps_total()}"
        )


if __name__ == "__main__":
    main()
