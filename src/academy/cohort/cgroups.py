"""A throw-away cgroup per sandbox: a hard cap on processes and total memory.

Which cap applies on a machine (`memory_cap`, shown by `academy cohort doctor`):

* `cgroup`: the grader runs as root (CI, containers) and makes a cgroup per sandbox here;
* `systemd`: the grader is an ordinary user whose systemd user manager delegates the
  memory controller (most desktops and servers with cgroup v2): each sandbox is started
  in its own transient scope with `MemoryMax` and `TasksMax` (`systemd_scope_argv`);
* `rlimits`: neither: each process's address space, CPU time and file sizes are capped,
  the processes counted, and the two tmpfs sized, but not the memory all processes of a
  sandbox use together (System V shared memory and memfd files are not counted).

RLIMIT_NPROC does not bind processes whose real user is root, so when the grader runs as
root (CI, containers) a fork bomb would only be stopped by the time limit. A cgroup with
`pids.max` stops it at the limit instead, and `memory` bounds the sandbox's processes
together (RLIMIT_AS only bounds each one). Used when this process may create cgroups
(cgroup v1 `pids`/`memory` hierarchies, or a delegated cgroup v2); otherwise `create`
returns None and the rlimits are all there is.

The sandbox joins the group without a race: the launching process moves itself into the
group, starts the sandbox (which inherits the group), and moves itself back, under a lock
so that threads of one process never interleave.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from academy.cohort.settings import GradingLimits

ROOT = Path("/sys/fs/cgroup")
CONTROLLERS = ("pids", "memory")
PREFIX = "academy-sandbox-"
#: Groups older than this with nothing in them were left by a killed grader.
STALE_SECONDS = 3600
_lock = threading.Lock()


def _remove_stale(parent: Path) -> None:
    for old in parent.glob(f"{PREFIX}*"):
        with contextlib.suppress(OSError, ValueError):
            if (
                time.time() - old.stat().st_mtime > STALE_SECONDS
                and not (old / "cgroup.procs").read_text().strip()
            ):
                old.rmdir()


def _own_paths() -> dict[str, str]:
    """This process's cgroup path per controller ('' is the cgroup v2 hierarchy)."""
    paths: dict[str, str] = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            paths[controller] = path
    return paths


def _write(path: Path, value: str) -> None:
    path.write_text(value)


@dataclass
class SandboxCgroup:
    """One sandbox's cgroup directories (one per controller under v1, one under v2)."""

    dirs: dict[str, Path]
    origins: dict[str, Path]
    version: int
    memory_peak: int | None = field(default=None)

    @classmethod
    def create(cls, pids_max: int, memory_bytes: int) -> SandboxCgroup | None:
        """A new cgroup with these caps, or None where cgroups cannot be used."""
        if os.geteuid() != 0 or not ROOT.is_dir():
            return None
        try:
            own = _own_paths()
        except OSError:
            return None
        name = f"{PREFIX}{uuid.uuid4().hex[:12]}"
        dirs: dict[str, Path] = {}
        try:
            if (ROOT / "cgroup.controllers").is_file():  # v2
                origin = ROOT / own.get("", "/").lstrip("/")
                _remove_stale(origin)
                enabled = (origin / "cgroup.subtree_control").read_text().split()
                if "pids" not in enabled:
                    return None
                group = cls({"": origin / name}, {"": origin}, 2)
                group.dirs[""].mkdir()
                _write(group.dirs[""] / "pids.max", str(pids_max))
                if "memory" in enabled:
                    _write(group.dirs[""] / "memory.max", str(memory_bytes))
                return group
            origins = {c: ROOT / c / own[c].lstrip("/") for c in CONTROLLERS if c in own}
            if "pids" not in origins:
                return None
            for controller, origin in origins.items():
                _remove_stale(origin)
                dirs[controller] = origin / name
                dirs[controller].mkdir()
            _write(dirs["pids"] / "pids.max", str(pids_max))
            if "memory" in dirs:
                _write(dirs["memory"] / "memory.limit_in_bytes", str(memory_bytes))
            return cls(dirs, origins, 1)
        except OSError:
            for path in dirs.values():
                with contextlib.suppress(OSError):
                    path.rmdir()
            return None

    @contextlib.contextmanager
    def joined(self) -> Iterator[None]:
        """Run the body (which starts the sandbox) with this process inside the group."""
        with _lock:
            pid = str(os.getpid())
            for controller in self.dirs:
                _write(self.dirs[controller] / "cgroup.procs", pid)
            try:
                yield
            finally:
                for controller in self.dirs:
                    with contextlib.suppress(OSError):
                        _write(self.origins[controller] / "cgroup.procs", pid)

    def _pids(self) -> list[int]:
        path = next(iter(self.dirs.values())) / "cgroup.procs"
        try:
            return [int(p) for p in path.read_text().split()]
        except OSError:
            return []

    def close(self) -> None:
        """Kill whatever is left in the group, note its peak memory, remove it."""
        peak_file = {1: "memory.max_usage_in_bytes", 2: "memory.peak"}[self.version]
        memory_dir = self.dirs.get("memory", self.dirs.get(""))
        if memory_dir is not None:
            with contextlib.suppress(OSError, ValueError):
                self.memory_peak = int((memory_dir / peak_file).read_text())
        deadline = time.monotonic() + 5
        while (pids := self._pids()) and time.monotonic() < deadline:
            kill = self.dirs.get("") and self.dirs[""] / "cgroup.kill"
            if kill and kill.exists():
                with contextlib.suppress(OSError):
                    _write(kill, "1")
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.05)
        for path in self.dirs.values():
            for _ in range(50):
                try:
                    path.rmdir()
                    break
                except OSError:
                    time.sleep(0.05)


def _user_scope_works(systemd_run: str) -> bool:
    """Whether a transient user scope with a memory cap can be made (and memory is delegated)."""
    import subprocess

    uid = os.getuid()
    controllers = ROOT / f"user.slice/user-{uid}.slice/user@{uid}.service/cgroup.controllers"
    try:
        if "memory" not in controllers.read_text().split():
            return False
        done = subprocess.run(
            [systemd_run, "--user", "--scope", "--quiet", "-p", "MemoryMax=64M", "true"],
            capture_output=True,
            timeout=20,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def memory_cap() -> tuple[str, str | None]:
    """('cgroup' | 'systemd' | 'rlimits', systemd-run's path when it is 'systemd')."""
    import shutil

    if os.geteuid() == 0:
        group = SandboxCgroup.create(pids_max=16, memory_bytes=64 * 1024 * 1024)
        if group is not None:
            group.close()
            return "cgroup", None
        return "rlimits", None
    systemd_run = shutil.which("systemd-run")
    if systemd_run and _user_scope_works(systemd_run):
        return "systemd", systemd_run
    return "rlimits", None


def sandbox_memory_bytes(limits: GradingLimits) -> int:
    """Total memory of one sandbox: 1.5 × the per-process cap, plus 512 MiB for the worker."""
    return (limits.memory_mb * 3 // 2 + 512) * 1024 * 1024


def systemd_scope_argv(systemd_run: str, limits: GradingLimits) -> list[str]:
    """The prefix that starts a sandbox in its own capped systemd user scope."""
    memory = sandbox_memory_bytes(limits)
    return [
        systemd_run,
        "--user",
        "--scope",
        "--quiet",
        "--collect",
        f"--unit={PREFIX}{uuid.uuid4().hex[:12]}",
        "-p",
        f"MemoryMax={memory}",
        "-p",
        "MemorySwapMax=0",
        "-p",
        f"TasksMax={limits.processes}",
        "--",
    ]
