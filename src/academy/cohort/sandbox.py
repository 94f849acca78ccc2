"""Run one submission's notebook in its own sandbox and bring back its outputs.

A sandbox is bubblewrap (`bwrap`) around `python -m academy.cohort.sandbox_worker`:

* new user, PID, network, IPC, UTS and cgroup namespaces, no capabilities, no nested user
  namespaces; the network namespace has only its own loopback, so nothing is reachable;
* the filesystem is a fresh tmpfs root: the system (`/usr`, a few `/etc` files), the
  Python environment, the academy package and the data mirror/cache are bound read-only;
  the cohort folder (sources, other learners, gradebook) and the academy checkout's
  exercises are simply not there; the notebook arrives on stdin and its outputs leave on
  stdout, and the only writable place is a size-capped tmpfs at /tmp;
* resource limits (address space, CPU time, file size, open files, processes) are set by
  the worker before the kernel starts and inherited by everything the learner runs; as
  root a cgroup caps processes and total memory (see `cgroups`);
* a wall-clock watchdog kills the whole sandbox a little after the notebook's own limit.

Where bubblewrap is missing or cannot create namespaces, `detect_runtime` says so loudly
and grading falls back to the resource limits alone (cohort setting `sandbox: auto`), or
refuses (`sandbox: bwrap`).

`run_sandboxed` is a pure function of a picklable `SandboxJob`, so any executor (process
pool, Dask) can run it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from academy.cohort.cgroups import SandboxCgroup
from academy.cohort.settings import GradingLimits, SandboxMode

Mode = Literal["bwrap", "rlimits"]
WORKDIR = "/tmp/work"
WORKER = "academy.cohort.sandbox_worker"
#: Seconds allowed beyond the notebook's own limit for kernel start-up and shut-down.
GRACE_SECONDS = 20
#: Largest result the worker may send back; cells × output cap stays far below this.
MAX_RESULT_BYTES = 256 * 1024 * 1024
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
SYSTEM_FILES = (
    "/etc/alternatives",
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/localtime",
    "/etc/nsswitch.conf",
    "/etc/passwd",
    "/etc/group",
    "/etc/fonts",
    "/etc/mime.types",
)


@dataclass(frozen=True)
class SandboxRuntime:
    """How sandboxes are started on this machine; computed once per grading run."""

    mode: Mode
    python: str
    read_only: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    bwrap: str | None = None
    warning: str | None = None
    #: Newer bubblewrap options this bwrap has (older ones lack --size and --disable-userns).
    bwrap_options: tuple[str, ...] = ()


@dataclass(frozen=True)
class SandboxJob:
    """Everything one sandboxed run needs, as plain data."""

    key: str
    notebook_json: str
    notebook_name: str
    execute_config: dict[str, Any]
    limits: GradingLimits
    runtime: SandboxRuntime
    files: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SandboxResult:
    """What came back: every cell's outputs, or why there are none."""

    key: str
    mode: Mode
    cells: list[dict[str, Any]] | None
    stop_reason: str | None
    stopped_at: int | None
    seconds: float
    returncode: int | None
    log: str = ""
    peak_memory_bytes: int | None = None


def _runtime_paths(extra: list[Path]) -> tuple[str, ...]:
    """Read-only paths the worker and the kernel need: Python, the venv, academy, data."""
    import academy

    candidates = [
        Path(sys.base_prefix),
        Path(sys.prefix),
        Path(os.path.realpath(sys.executable)).parent.parent,
        Path(academy.__file__).resolve().parent.parent,
        *extra,
    ]
    paths: list[Path] = []
    for path in candidates:
        path = path.resolve()
        if not path.exists():
            continue
        if any(path == p or p in path.parents for p in paths):
            continue
        paths = [p for p in paths if path not in p.parents]
        paths.append(path)
    return tuple(sorted(str(p) for p in paths))


def _system_binds() -> list[str]:
    args: list[str] = []
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for path in SYSTEM_FILES:
        args += ["--ro-bind-try", path, path]
    return args


def bwrap_argv(
    runtime: SandboxRuntime, limits: GradingLimits, files: tuple[tuple[str, str], ...]
) -> list[str]:
    """The full bubblewrap command line for one sandbox."""
    assert runtime.bwrap is not None
    has = set(runtime.bwrap_options)
    args = [
        runtime.bwrap,
        "--unshare-all",
        "--unshare-user",
        *(["--disable-userns"] if "--disable-userns" in has else []),
        "--uid", "1000",
        "--gid", "1000",
        "--cap-drop", "ALL",
        "--die-with-parent",
        "--new-session",
        "--hostname", "grader",
        "--proc", "/proc",
        "--dev", "/dev",
        *(["--size", str(limits.scratch_mb * 1024 * 1024)] if "--size" in has else []),
        "--tmpfs", "/tmp",
        "--dir", WORKDIR,
        "--dir", "/tmp/home",
        *_system_binds(),
    ]  # fmt: skip
    for path in runtime.read_only:
        args += ["--ro-bind", path, path]
    for relative, host in files:
        args += ["--ro-bind", host, f"{WORKDIR}/{relative}"]
    args += ["--chdir", WORKDIR, "--clearenv"]
    for key, value in _sandbox_env(runtime, home="/tmp/home", tmp="/tmp"):
        args += ["--setenv", key, value]
    return [*args, "--", runtime.python, "-I", "-m", WORKER]


def _sandbox_env(runtime: SandboxRuntime, home: str, tmp: str) -> list[tuple[str, str]]:
    venv_bin = str(Path(runtime.python).parent)
    return [
        ("HOME", home),
        ("TMPDIR", tmp),
        ("PATH", f"{venv_bin}:/usr/local/bin:/usr/bin:/bin"),
        ("LANG", "C.UTF-8"),
        ("JUPYTER_RUNTIME_DIR", f"{tmp}/jupyter-runtime"),
        ("JUPYTER_DATA_DIR", f"{tmp}/jupyter-data"),
        ("JUPYTER_CONFIG_DIR", f"{tmp}/jupyter-config"),
        ("JUPYTER_PLATFORM_DIRS", "1"),
        ("IPYTHONDIR", f"{tmp}/ipython"),
        ("MPLCONFIGDIR", f"{tmp}/matplotlib"),
        ("XDG_CACHE_HOME", f"{tmp}/cache"),
        ("PYTHONDONTWRITEBYTECODE", "1"),
        ("NBGRADER_EXECUTION", "autograde"),
        *runtime.env,
    ]


def _user_process_count() -> int:
    """Processes and threads of this user (RLIMIT_NPROC counts them all); 0 without /proc."""
    uid = os.getuid()
    count = 0
    proc = Path("/proc")
    for entry in proc.iterdir() if proc.is_dir() else []:
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if entry.stat().st_uid == uid:
                    count += len(list((entry / "task").iterdir()))
    return count


def worker_payload(job: SandboxJob, workdir: str) -> dict[str, Any]:
    """The JSON the worker reads on stdin."""
    limits = job.limits
    rlimits: dict[str, int] = {
        "memory_bytes": limits.memory_mb * 1024 * 1024,
        "cpu_seconds": limits.cpu_seconds,
        "file_bytes": limits.file_mb * 1024 * 1024,
        "open_files": 1024,
        "core_bytes": 0,
    }
    if os.getuid() != 0:  # RLIMIT_NPROC counts all of this user's processes and threads
        rlimits["processes"] = _user_process_count() + limits.processes
    return {
        "notebook": job.notebook_json,
        "notebook_name": job.notebook_name,
        "execute_config": job.execute_config,
        "notebook_timeout": limits.notebook_timeout,
        "output_chars_per_cell": limits.output_kb_per_cell * 1024,
        "limits": rlimits,
        "workdir": workdir,
    }


def _kill_tree(proc: subprocess.Popen[bytes]) -> None:
    import psutil

    try:
        children = psutil.Process(proc.pid).children(recursive=True)
    except psutil.Error:
        children = []
    for process in [*children]:
        with contextlib.suppress(psutil.Error):
            process.kill()
    with contextlib.suppress(ProcessLookupError):
        proc.kill()


def _parse(stdout: bytes) -> dict[str, Any]:
    if not stdout:
        return {}
    if len(stdout) > MAX_RESULT_BYTES:
        return {"stop_reason": "result-too-large"}
    try:
        data = json.loads(stdout)
    except ValueError:
        return {"stop_reason": "result-unreadable"}
    return data if isinstance(data, dict) else {"stop_reason": "result-unreadable"}


def run_sandboxed(job: SandboxJob) -> SandboxResult:
    """Execute one submission in its sandbox; never raises for anything the learner did."""
    started = time.monotonic()
    runtime = job.runtime
    hard_limit = job.limits.notebook_timeout + GRACE_SECONDS
    group = SandboxCgroup.create(
        pids_max=job.limits.processes,
        memory_bytes=(job.limits.memory_mb * 3 // 2 + 512) * 1024 * 1024,
    )
    scratch = tempfile.mkdtemp(prefix="academy-sandbox-")
    try:
        if runtime.mode == "bwrap":
            argv, cwd, env, workdir = bwrap_argv(runtime, job.limits, job.files), None, {}, WORKDIR
        else:
            workdir = str(Path(scratch) / "work")
            Path(workdir).mkdir()
            Path(scratch, "home").mkdir()
            for relative, host in job.files:
                target = Path(workdir) / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(host, target)
            argv = [runtime.python, "-I", "-m", WORKER]
            cwd, env = workdir, dict(_sandbox_env(runtime, home=f"{scratch}/home", tmp=scratch))
        payload = json.dumps(worker_payload(job, workdir)).encode()
        with group.joined() if group else contextlib.nullcontext():
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=cwd,
                env=env or None,
                start_new_session=True,
            )
        hard_timeout = False
        try:
            stdout, stderr = proc.communicate(payload, timeout=hard_limit)
        except subprocess.TimeoutExpired:
            _kill_tree(proc)
            stdout, stderr = proc.communicate()
            hard_timeout = True
        finally:
            if proc.poll() is None:
                _kill_tree(proc)
                proc.wait()
    finally:
        if group is not None:
            group.close()
        shutil.rmtree(scratch, ignore_errors=True)
    data = {} if hard_timeout else _parse(stdout)
    stop_reason = "hard-timeout" if hard_timeout else data.get("stop_reason")
    if data.get("cells") is None and stop_reason is None:
        stop_reason = "worker-died"
    return SandboxResult(
        key=job.key,
        mode=runtime.mode,
        cells=data.get("cells"),
        stop_reason=stop_reason,
        stopped_at=data.get("stopped_at"),
        seconds=round(time.monotonic() - started, 3),
        returncode=proc.returncode,
        log=stderr.decode("utf-8", "replace")[-4000:],
        peak_memory_bytes=group.memory_peak if group else None,
    )


OPTIONAL_OPTIONS = ("--disable-userns", "--size")


def _bwrap_options(bwrap: str | None) -> tuple[str, ...]:
    if bwrap is None:
        return ()
    try:
        text = subprocess.run([bwrap, "--help"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ()
    return tuple(option for option in OPTIONAL_OPTIONS if option in text)


def _probe(runtime: SandboxRuntime) -> str | None:
    """Start an empty sandbox; None when it works, else bwrap's complaint."""
    argv = bwrap_argv(runtime, GradingLimits(), ())
    argv = [*argv[: argv.index("--") + 1], runtime.python, "-I", "-c", f"import {WORKER}"]
    try:
        done = subprocess.run(argv, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if done.returncode != 0:
        return done.stderr.decode("utf-8", "replace").strip()[-500:] or f"exit {done.returncode}"
    return None


def detect_runtime(
    setting: SandboxMode, read_only: list[Path], env: dict[str, str]
) -> SandboxRuntime:
    """The sandbox this machine can run, honouring the cohort's `sandbox` setting.

    Raises `SandboxUnavailable` when the setting is `bwrap` and bubblewrap does not work.
    """
    python = sys.executable
    paths = _runtime_paths(read_only)
    pairs = tuple(sorted(env.items()))
    if setting == "rlimits":
        return SandboxRuntime(
            "rlimits",
            python,
            paths,
            pairs,
            warning=_FALLBACK.format(why="the cohort's `sandbox` setting is `rlimits`"),
        )
    bwrap = shutil.which("bwrap")
    problem = "bubblewrap (bwrap) is not installed" if bwrap is None else None
    runtime = SandboxRuntime(
        "bwrap", python, paths, pairs, bwrap=bwrap, bwrap_options=_bwrap_options(bwrap)
    )
    if bwrap is not None:
        complaint = _probe(runtime)
        if complaint:
            problem = f"bubblewrap cannot create a sandbox here ({complaint})"
    if problem is None:
        return runtime
    if setting == "bwrap":
        raise SandboxUnavailable(problem)
    return SandboxRuntime("rlimits", python, paths, pairs, warning=_FALLBACK.format(why=problem))


_FALLBACK = (
    "NOT SANDBOXED: {why}. Learner code will run with only resource limits: it can read "
    "your files (including solutions and the gradebook) and use the network. Install "
    "bubblewrap (Debian/Ubuntu: apt-get install bubblewrap) and allow unprivileged user "
    "namespaces, or grade on a machine where `bwrap` works."
)


class SandboxUnavailable(RuntimeError):
    """The cohort requires bubblewrap and it does not work on this machine."""
