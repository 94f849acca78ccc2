"""`academy hub`: check a classroom hub's setup, then run JupyterHub with the one config.

Everything a hub needs is checked before JupyterHub starts, each problem as one line
naming what and the fix: the proxy from npm, free ports, the built academy, the cohort,
the authenticator. JupyterHub's own log goes to `<state>/jupyterhub.log`; when it stops
during start-up, its last error line is the message.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from academy.core.errors import AcademyError
from academy.core.paths import build_dir, user_data_dir
from academy.hub.settings import SETTINGS_ENV, Authenticator, HubSettings, SpawnerKind

CONFIG = Path("deploy") / "jupyterhub" / "jupyterhub_config.py"
PROXY = Path("node_modules") / ".bin" / "configurable-http-proxy"
#: Seconds JupyterHub may take to answer its API after it starts.
START_TIMEOUT = 120


@dataclass(frozen=True)
class HubRequest:
    """What the trainer asked for on the command line."""

    root: Path
    cohort: str
    build: Path | None = None
    """Where the academy was built (default: the checkout's build/)."""
    cohorts_dir: Path | None = None
    ip: str = "127.0.0.1"
    port: int = 8100
    trainers: tuple[str, ...] = ()
    authenticator: Authenticator = "native"
    spawner: SpawnerKind | None = None
    state_dir: Path | None = None
    proxy: str | None = None
    extra_config: Path | None = None
    cull_idle_seconds: int = 3600
    dummy_password: str | None = None


def _port_free(ip: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((ip, port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def find_proxy(root: Path, given: str | None) -> str:
    """The configurable-http-proxy program: --proxy, the checkout's npm install, or PATH."""
    candidates = [given] if given else [str(root / PROXY), shutil.which("configurable-http-proxy")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return str(Path(candidate).resolve())
    where = given or str(root / PROXY)
    raise AcademyError(
        f"{where}: configurable-http-proxy not found; install it with `npm ci` in {root} "
        "(`make install` does), or pass --proxy PATH"
    )


def hub_settings(request: HubRequest) -> HubSettings:
    """The hub's settings, after checking everything that can be checked before it starts."""
    from academy.cohort.folder import open_cohort
    from academy.cohort.roster import roster
    from academy.progress.store import default_url

    root = request.root
    config = root / CONFIG
    if not config.is_file():
        raise AcademyError(f"{config}: the hub's configuration is missing; restore it from git")
    proxy = find_proxy(root, request.proxy)
    build = request.build or build_dir(root)
    site, lessons = build / "site", build / "lessons"
    if not (site / "index.html").is_file() or not any(lessons.glob("*/*.ipynb")):
        raise AcademyError(f"{build}: the academy is not built; run `academy build` first")
    folder = open_cohort(request.cohort, request.cohorts_dir)
    ids = [learner.id for learner in roster(folder)]
    trainers = list(dict.fromkeys(request.trainers))
    if not trainers:
        raise AcademyError(
            "--trainer: name at least one trainer (a hub user who runs the cohort), "
            "e.g. --trainer coach"
        )
    clash = sorted(set(trainers) & set(ids))
    if clash:
        raise AcademyError(
            f"--trainer {clash[0]}: that id is a learner on {folder.roster_file}; "
            "give trainers their own hub user"
        )
    if not _port_free(request.ip, request.port):
        raise AcademyError(
            f"{request.ip}:{request.port}: the port is already in use; stop what uses it "
            "or choose another --port"
        )
    if request.authenticator == "dummy" and not request.dummy_password:
        raise AcademyError(
            "--auth dummy: set ACADEMY_HUB_DUMMY_PASSWORD (the dummy authenticator is for tests)"
        )
    if request.extra_config is not None and not request.extra_config.is_file():
        raise AcademyError(f"{request.extra_config}: --extra-config file not found")
    spawner = request.spawner or ("system-users" if os.geteuid() == 0 else "shared")
    if spawner == "system-users" and os.geteuid() != 0:
        raise AcademyError(
            "--spawner system-users: the hub must run as root to start servers as each "
            "learner's own Linux user; run it as root or use --spawner shared"
        )
    from academy.data.city import configured_city

    city = folder.settings.city or configured_city(root)
    progress_url = default_url()
    if spawner == "system-users" and progress_url.startswith("sqlite"):
        raise AcademyError(
            f"ACADEMY_PROGRESS_URL={progress_url}: learners' servers run as their own users "
            "and cannot share this file; point ACADEMY_PROGRESS_URL at PostgreSQL "
            "(scripts/start-postgres DIR prints a URL for this machine)"
        )
    state = (request.state_dir or user_data_dir() / "hub" / folder.name).resolve()
    exchange = state / "exchange"
    return HubSettings(
        ip=request.ip,
        port=request.port,
        hub_port=_free_port(),
        proxy_api_port=_free_port(),
        proxy=proxy,
        state_dir=state,
        authenticator=request.authenticator,
        dummy_password=request.dummy_password,
        extra_config=request.extra_config.resolve() if request.extra_config else None,
        spawner=spawner,
        cohort=folder.name,
        cohort_dir=folder.path,
        learners=ids,
        trainers=trainers,
        academy_root=root,
        city=city,
        site_dir=site,
        lessons_dir=lessons,
        exchange=exchange,
        progress_url=progress_url,
        data_dir=os.environ.get("ACADEMY_DATA_DIR") or None,
        cull_idle_seconds=request.cull_idle_seconds,
    )


def prepare_state(settings: HubSettings) -> None:
    """The state folder, the exchange (everyone may hand in; see nbgrader's exchange)."""
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    settings.homes.mkdir(exist_ok=True)
    settings.exchange.mkdir(exist_ok=True)
    settings.exchange.chmod(0o777)
    settings.settings_file.write_text(settings.model_dump_json(indent=2), encoding="utf-8")


def _last_error(log: Path) -> str:
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines() if log.is_file() else []
    for line in reversed(lines):
        if "[E " in line or "[C " in line or "Error" in line:
            return line.split("] ", 1)[-1].strip()
    return lines[-1].strip() if lines else "no log"


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:
            return reply.status == 200
    except (urllib.error.URLError, OSError):
        return False


class RunningHub:
    """A JupyterHub process started with the academy's configuration."""

    def __init__(self, settings: HubSettings):
        self.settings = settings
        self.url = f"http://{settings.ip}:{settings.port}/"
        self._log = settings.log_file.open("ab")
        env = dict(os.environ)
        env[SETTINGS_ENV] = str(settings.settings_file)
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "jupyterhub"),
                "-f",
                str(settings.academy_root / CONFIG),
            ],
            cwd=settings.state_dir,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        """Return once the hub answers; one-line AcademyError if it stops or never answers."""
        api = f"http://127.0.0.1:{self.settings.port}/hub/api/"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.close()
                raise AcademyError(
                    f"{self.settings.log_file}: JupyterHub stopped while starting: "
                    f"{_last_error(self.settings.log_file)}"
                )
            if _answers(api):
                return
            time.sleep(0.25)
        self.stop()
        raise AcademyError(
            f"{self.settings.log_file}: JupyterHub did not answer within {timeout:g} s; see the log"
        )

    def stop(self, timeout: float = 60) -> int:
        """Stop the hub, which stops every learner's server and the proxy."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.close()
        return self.process.returncode

    def close(self) -> None:
        self._log.close()


def start_hub(request: HubRequest, on_ready: Callable[[RunningHub], None] | None = None) -> int:
    """Check, start, and run the hub until it stops or the command is interrupted."""
    settings = hub_settings(request)
    prepare_state(settings)
    hub = RunningHub(settings)
    stopping = {"now": False}

    def interrupted(signum: int, frame: object) -> None:
        stopping["now"] = True

    previous = {sig: signal.signal(sig, interrupted) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        hub.wait_ready()
        if on_ready:
            on_ready(hub)
        while hub.process.poll() is None and not stopping["now"]:
            time.sleep(0.5)
        if not stopping["now"]:
            raise AcademyError(
                f"{settings.log_file}: JupyterHub stopped: {_last_error(settings.log_file)}"
            )
        return hub.stop()
    finally:
        if hub.process.poll() is None:
            hub.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
