"""Run one submission's notebook in its own sandbox and bring back its outputs.

A sandbox is bubblewrap (`bwrap`) around `python -m academy.cohort.sandbox_worker`:

* new user, PID, network, IPC, UTS and cgroup namespaces, no capabilities, no nested user
  namespaces; the network namespace has only its own loopback, so nothing is reachable;
* the filesystem is a fresh root that is read-only once set up: the system (`/usr`, a few
  `/etc` files), the Python environment, the academy package and exactly the data files
  the exercise reads are bound read-only; the cohort folder (sources, other learners,
  gradebook), the academy's exercises and the trusted notebook are simply not there; the
  only writable places are two tmpfs with a size cap, `/tmp` and `/dev/shm`;
* bubblewrap itself (pid 1 inside) is started with an empty environment and /dev/null as
  stdin and stdout, and closes every other descriptor, so it holds nothing of the grader;
* the job and the result travel on two private pipes only the worker holds
  (`academy.cohort.channel`), the worker asks for each cell's source only when the cell
  runs, and the grader treats whatever comes back as untrusted data;
* resource limits (address space, CPU time, file size, open files, processes) are set by
  the worker before the kernel starts and inherited by everything the learner runs; total
  memory and processes are capped by a cgroup where one can be made (`memory_cap`);
* a wall-clock watchdog kills the whole sandbox a little after the notebook's own limit.

What a learner who controls their own kernel can still do, and what they cannot
------------------------------------------------------------------------------

Tests run in the learner's own Python process, as with nbgrader. So a learner can change
how *their own* checks behave: monkeypatch `assert`-ed functions, replace builtins, hook
IPython so that a test cell is skipped, or print anything. The most that buys is their own
score, and the trainer still sees their code; the academy's tamper checks flag edited
read-only cells, but not code that redefines what the checks call. Hidden tests are sent to
the kernel when they run, so code that hooks IPython can read a hidden test at that moment;
it cannot carry it out: feedback shows only messages rebuilt from the exercise author's
own text (`messages`), never a kernel's free text, and the graded notebook stays with the
trainer.

They cannot: read the trainer's environment, credentials, files, the cohort folder, other
learners' work, the trusted notebook or a hidden test before it runs; reach the network or
the host's processes; write anywhere outside the two capped tmpfs; forge the result (it
comes from the worker over a channel the kernel cannot open, signed with a key the kernel
never sees, and the grader scores the outputs itself); stop or slow the cohort (every
limit ends in a result for that learner only, and a result that cannot be read counts as
"result unreadable" for that learner alone); or leave anything running.

Where bubblewrap cannot create its namespaces there is no sandbox and grading refuses
(`SandboxUnavailable`, with the fix for this machine), unless the trainer passes
`--unsafe-no-sandbox`: then the worker runs with the resource limits only, which is
recorded with every grade and shown on the report.

`run_sandboxed` is a pure function of a picklable `SandboxJob`, so any executor (process
pool, Dask) can run it.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from academy.cohort.cgroups import SandboxCgroup, sandbox_memory_bytes, systemd_scope_argv
from academy.cohort.channel import ChannelError, FrameReader, clean_output, encode, new_key
from academy.cohort.sandbox_worker import (
    KERNEL_DIED,
    NOT_RUN,
    NOTEBOOK_TIME_LIMIT,
    UNRESPONSIVE,
    WORKER,
    WORKER_ERROR,
)
from academy.cohort.settings import GradingLimits

Mode = Literal["bwrap", "none"]
MemoryCap = Literal["cgroup", "systemd", "rlimits"]
WORKDIR = "/tmp/work"
#: Seconds allowed beyond the notebook's own limit for kernel start-up and shut-down.
GRACE_SECONDS = 20
#: Stop reasons the grader itself decides (the worker's are in sandbox_worker).
HARD_TIMEOUT = "hard-timeout"
WORKER_DIED = "worker-died"
RESULT_UNREADABLE = "result-unreadable"
WORKER_STOPS = {None, KERNEL_DIED, UNRESPONSIVE, NOTEBOOK_TIME_LIMIT, WORKER_ERROR}
#: Bytes of the sandbox's own log kept for the trainer (bubblewrap's complaints).
LOG_BYTES = 8 * 1024
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
#: What bubblewrap (pid 1 in the sandbox) is started with: nothing of the grader's.
BWRAP_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}


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
    #: Single files bound read-only at their own (real) path.
    files: tuple[str, ...] = ()
    #: (target, link) symbolic links made inside the sandbox.
    links: tuple[tuple[str, str], ...] = ()
    #: What caps the total memory of a sandbox (see `cgroups`).
    memory_cap: MemoryCap = "rlimits"
    #: systemd-run, when memory is capped through a systemd user scope.
    systemd_run: str | None = None


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
    #: What the grader found wrong with the result, for the trainer.
    problem: str | None = None


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


def shm_bytes(limits: GradingLimits) -> int:
    """Size of the sandbox's /dev/shm: a quarter of the scratch folder, at least 16 MiB."""
    return max(16, limits.scratch_mb // 4) * 1024 * 1024


def bwrap_argv(
    runtime: SandboxRuntime,
    limits: GradingLimits,
    files: tuple[tuple[str, str], ...],
    command: list[str] | None = None,
) -> list[str]:
    """The full bubblewrap command line for one sandbox running `command` (the worker)."""
    assert runtime.bwrap is not None
    has = set(runtime.bwrap_options)

    def sized(size: int) -> list[str]:
        return ["--size", str(size)] if "--size" in has else []

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
        *sized(shm_bytes(limits)), "--tmpfs", "/dev/shm",
        *sized(limits.scratch_mb * 1024 * 1024), "--tmpfs", "/tmp",
        "--dir", WORKDIR,
        "--dir", "/tmp/home",
        *_system_binds(),
    ]  # fmt: skip
    for path in runtime.read_only:
        args += ["--ro-bind", path, path]
    for path in runtime.files:
        args += ["--ro-bind", path, path]
    for target, link in runtime.links:
        args += ["--dir", str(Path(link).parent), "--symlink", target, link]
    for relative, host in files:
        args += ["--ro-bind", host, f"{WORKDIR}/{relative}"]
    # Nothing but the two tmpfs stays writable: the root and /dev are tmpfs of half the RAM.
    args += ["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", WORKDIR, "--clearenv"]
    for key, value in _sandbox_env(runtime, home="/tmp/home", tmp="/tmp"):
        args += ["--setenv", key, value]
    return [*args, "--", *(command or [runtime.python, "-I", "-m", WORKER])]


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


def skeleton(notebook: dict[str, Any]) -> tuple[dict[str, Any], dict[int, str]]:
    """The notebook without a single line of code or text, and the code sources by index."""
    sources: dict[int, str] = {}
    cells = []
    for index, cell in enumerate(notebook["cells"]):
        source = cell.get("source", "")
        if cell.get("cell_type") == "code":
            sources[index] = "".join(source) if isinstance(source, list) else source
        cells.append({**cell, "source": "", "outputs": [], "attachments": {}})
        if cell.get("cell_type") != "code":
            cells[-1].pop("outputs")
            cells[-1].pop("execution_count", None)
        if cell.get("cell_type") != "markdown":
            cells[-1].pop("attachments")
    return {**notebook, "cells": cells}, sources


def worker_payload(job: SandboxJob, workdir: str, notebook: dict[str, Any]) -> dict[str, Any]:
    """The job message the worker reads first."""
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
        "type": "job",
        "notebook": notebook,
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


@dataclass
class _Exchange:
    """The grader's side of one conversation with a worker."""

    sources: dict[int, str]
    budget: int
    cells: dict[int, dict[str, Any]] = field(default_factory=dict)
    awaiting: int | None = None
    last: int = -1
    done: dict[str, Any] | None = None

    def handle(self, message: dict[str, Any]) -> dict[str, Any] | None:
        """Act on one message; the reply to send, if any. ChannelError on any breach."""
        kind = message["type"]
        index = message.get("index")
        if kind == "source":
            if self.awaiting is not None or type(index) is not int or index <= self.last:
                raise ChannelError("source asked for out of order")
            if index not in self.sources:
                raise ChannelError("source asked for a cell that is not code")
            self.awaiting = index
            return {"type": "source", "index": index, "source": self.sources[index]}
        if kind == "cell":
            if index != self.awaiting:
                raise ChannelError("outputs for a cell that was not running")
            outputs = message.get("outputs")
            if not isinstance(outputs, list) or len(outputs) > 10_000:
                raise ChannelError("outputs are not a list")
            count = message.get("execution_count")
            self.cells[index] = {
                "execution_count": count if type(count) is int else None,
                "outputs": [clean_output(o, self.budget) for o in outputs],
            }
            self.awaiting, self.last = None, index
            return None
        if kind == "done":
            stop, at = message.get("stop_reason"), message.get("stopped_at")
            known = stop is None or (type(stop) is str and stop in WORKER_STOPS)
            if not known or not (at is None or type(at) is int):
                raise ChannelError("an unknown stop reason")
            self.done = {"stop_reason": stop, "stopped_at": at}
            return None
        raise ChannelError("a message of an unknown type")


NOT_RUN_BECAUSE = {
    KERNEL_DIED: "Python had stopped earlier in the notebook",
    UNRESPONSIVE: "code earlier in the notebook did not stop when it was interrupted",
    NOTEBOOK_TIME_LIMIT: "the time limit for the whole notebook was reached",
}


def _error(ename: str, evalue: str) -> dict[str, Any]:
    return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": []}


def assemble(
    notebook: dict[str, Any], reported: dict[int, dict[str, Any]], stop: str | None, at: int | None
) -> list[dict[str, Any]]:
    """Every cell's outputs: those reported, and a 'not run' error in every code cell that
    was not (the grader writes these itself, from the stop reason it accepted)."""
    why = NOT_RUN_BECAUSE.get(stop or "", "grading stopped before it")
    cells = []
    for index, cell in enumerate(notebook["cells"]):
        if cell.get("cell_type") != "code":
            cells.append({"execution_count": None, "outputs": []})
        elif index in reported:
            cells.append(reported[index])
        elif stop == NOTEBOOK_TIME_LIMIT and index == at:
            cells.append(
                {
                    "execution_count": None,
                    "outputs": [_error(NOTEBOOK_TIME_LIMIT, "Time limit for the notebook.")],
                }
            )
        else:
            cells.append(
                {
                    "execution_count": None,
                    "outputs": [_error(NOT_RUN, f"This cell was not run because {why}.")],
                }
            )
    return cells


def _launch(
    job: SandboxJob, scratch: str, group: SandboxCgroup | None
) -> tuple[subprocess.Popen[bytes], int, int, str]:
    """Start the sandbox; (process, job pipe to write, result pipe to read, workdir)."""
    runtime = job.runtime
    job_r, job_w = os.pipe()
    result_r, result_w = os.pipe()
    command = [runtime.python, "-I", "-m", WORKER, str(job_r), str(result_w)]
    if runtime.mode == "bwrap":
        argv = bwrap_argv(runtime, job.limits, job.files, command)
        if runtime.memory_cap == "systemd" and runtime.systemd_run:
            argv = [*systemd_scope_argv(runtime.systemd_run, job.limits), *argv]
        cwd, env, workdir = None, _bwrap_env(runtime), WORKDIR
    else:
        workdir = str(Path(scratch) / "work")
        Path(workdir).mkdir()
        Path(scratch, "home").mkdir()
        for relative, host in job.files:
            target = Path(workdir) / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(host, target)
        argv, cwd = command, workdir
        env = dict(_sandbox_env(runtime, home=f"{scratch}/home", tmp=scratch))
    try:
        with group.joined() if group else contextlib.nullcontext():
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                cwd=cwd,
                env=env,
                pass_fds=(job_r, result_w),
                start_new_session=True,
            )
    finally:
        os.close(job_r)
        os.close(result_w)
    return proc, job_w, result_r, workdir


def _bwrap_env(runtime: SandboxRuntime) -> dict[str, str]:
    env = dict(BWRAP_ENV)
    if runtime.memory_cap == "systemd":  # systemd-run must find the user's service manager
        for name in ("XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS"):
            if os.environ.get(name):
                env[name] = os.environ[name]
    return env


def _converse(
    proc: subprocess.Popen[bytes],
    job_w: int,
    result_r: int,
    first: bytes,
    talk: _Exchange,
    reader: FrameReader,
    deadline: float,
) -> tuple[str | None, bytes]:
    """Serve the worker until it is done; (the grader's own stop reason or None, log)."""
    assert proc.stderr is not None
    log_fd = proc.stderr.fileno()
    for fd in (job_w, result_r, log_fd):
        os.set_blocking(fd, False)
    outgoing = bytearray(first)
    log = bytearray()
    selector = selectors.DefaultSelector()
    selector.register(result_r, selectors.EVENT_READ, "result")
    selector.register(log_fd, selectors.EVENT_READ, "log")
    selector.register(job_w, selectors.EVENT_WRITE, "job")
    writing, reading = True, {"result", "log"}
    sent = 1
    try:
        while talk.done is None and "result" in reading:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return HARD_TIMEOUT, bytes(log)
            for key, _ in selector.select(timeout=min(remaining, 1.0)):
                if key.data == "job":
                    try:
                        written = os.write(job_w, outgoing)
                    except BlockingIOError:
                        continue
                    except OSError:  # the worker is gone
                        outgoing.clear()
                        written = 0
                    del outgoing[:written]
                    if not outgoing and writing:
                        selector.unregister(job_w)
                        writing = False
                    continue
                try:
                    data = os.read(key.fd, 1 << 20)
                except BlockingIOError:
                    continue
                if not data:
                    selector.unregister(key.fd)
                    reading.discard(key.data)
                    continue
                if key.data == "log":
                    log += data[: max(0, LOG_BYTES - len(log))]
                    continue
                for message in reader.feed(data):
                    reply = talk.handle(message)
                    if reply is not None:
                        outgoing += encode(reader.key, sent, reply)
                        sent += 1
                        if not writing:
                            selector.register(job_w, selectors.EVENT_WRITE, "job")
                            writing = True
        return (None if talk.done is not None else WORKER_DIED), bytes(log)
    finally:
        selector.close()


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait (blocked for this thread) until the block is done, then are
    delivered as usual. Never around starting a process: it would inherit the mask."""
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def run_sandboxed(job: SandboxJob) -> SandboxResult:
    """Execute one submission in its sandbox; never raises for anything the learner did."""
    started = time.monotonic()
    runtime = job.runtime
    limits = job.limits
    notebook = json.loads(job.notebook_json)
    shape, sources = skeleton(notebook)
    budget = limits.output_kb_per_cell * 1024
    talk = _Exchange(sources, budget + 1024)
    key = new_key()
    reader = FrameReader(key, max_frame=4 * budget + (1 << 20))
    stop: str | None = None
    problem: str | None = None
    log = b""
    group: SandboxCgroup | None = None
    scratch: str | None = None
    proc = None
    pipes: tuple[int, ...] = ()
    try:
        with _signals_held():  # Ctrl+C never leaves a cgroup or a scratch folder half made
            if runtime.memory_cap == "cgroup":
                group = SandboxCgroup.create(
                    pids_max=limits.processes, memory_bytes=sandbox_memory_bytes(limits)
                )
            scratch = tempfile.mkdtemp(prefix="academy-sandbox-")
        proc, job_w, result_r, workdir = _launch(job, scratch, group)
        pipes = (job_w, result_r)
        first = key.hex().encode() + encode(key, 0, worker_payload(job, workdir, shape))
        try:
            stop, log = _converse(
                proc,
                job_w,
                result_r,
                first,
                talk,
                reader,
                started + limits.notebook_timeout + GRACE_SECONDS,
            )
        except ChannelError as exc:
            stop, problem = RESULT_UNREADABLE, f"result unreadable: {exc}"
        except (ValueError, TypeError, KeyError, RecursionError, MemoryError) as exc:
            # whatever else a result could break in the checks above: that learner only
            stop, problem = RESULT_UNREADABLE, f"result unreadable ({type(exc).__name__})"
    finally:
        # a Ctrl+C (SIGINT to the whole process group) followed by the pool's SIGTERM must
        # not stop this half way: both wait until the sandbox, its cgroup and its scratch
        # folder are gone, then end the job as they would have
        with _signals_held():
            for fd in pipes:
                os.close(fd)
            if proc is not None:
                if talk.done is not None:
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        proc.wait(timeout=5)
                if proc.poll() is None:
                    _kill_tree(proc)
                proc.wait()
                if proc.stderr is not None:
                    proc.stderr.close()
            if group is not None:
                group.close()
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)
    if stop is None and talk.done is not None:
        stop = talk.done["stop_reason"]
    at = talk.done["stopped_at"] if talk.done else None
    usable = stop != RESULT_UNREADABLE and (talk.cells or stop in (None, *NOT_RUN_BECAUSE))
    if stop in (HARD_TIMEOUT, WORKER_DIED, WORKER_ERROR) and not talk.cells:
        usable = False
    return SandboxResult(
        key=job.key,
        mode=runtime.mode,
        cells=assemble(notebook, talk.cells, stop, at) if usable else None,
        stop_reason=stop,
        stopped_at=at if at is not None else (talk.awaiting if stop else None),
        seconds=round(time.monotonic() - started, 3),
        returncode=proc.returncode if proc else None,
        log=log.decode("utf-8", "replace"),
        peak_memory_bytes=group.memory_peak if group else None,
        problem=problem,
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


def run_in_sandbox(
    runtime: SandboxRuntime, command: list[str], timeout: float = 60
) -> tuple[int | None, str]:
    """Run a trusted command in an empty sandbox; (exit code or None, what it printed)."""
    argv = bwrap_argv(runtime, GradingLimits(), (), command)
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            env=_bwrap_env(runtime),
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, str(exc)
    text = (done.stderr or done.stdout).decode("utf-8", "replace").strip()
    return done.returncode, text[-500:]


def _probe(runtime: SandboxRuntime) -> str | None:
    """Start an empty sandbox; None when it works, else bwrap's complaint."""
    code, text = run_in_sandbox(runtime, [runtime.python, "-I", "-c", f"import {WORKER}"])
    if code == 0:
        return None
    return text or f"exit {code}"


def _sysctl(name: str) -> str | None:
    try:
        return Path("/proc/sys", *name.split(".")).read_text().strip()
    except OSError:
        return None


def how_to_fix(problem: str) -> str:
    """What to change on this machine so that bubblewrap works, in one sentence."""
    if "not installed" in problem:
        return "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap)"
    fixes = []
    if _sysctl("kernel.apparmor_restrict_unprivileged_userns") == "1":
        fixes.append(
            "allow bwrap user namespaces under AppArmor (Ubuntu 24.04+: sysctl -w "
            "kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile "
            "for /usr/bin/bwrap with `userns`)"
        )
    if _sysctl("kernel.unprivileged_userns_clone") == "0":
        fixes.append(
            "allow unprivileged user namespaces (sysctl -w kernel.unprivileged_userns_clone=1)"
        )
    if _sysctl("user.max_user_namespaces") == "0":
        fixes.append("allow user namespaces (sysctl -w user.max_user_namespaces=15000)")
    if not fixes:
        fixes.append(
            "allow unprivileged user namespaces on this machine; in a container or Kubernetes "
            "grading pod also give it seccompProfile Unconfined, AppArmor unconfined and "
            "procMount Unmasked (or run it privileged)"
        )
    return "; ".join(fixes)


def detect_runtime(
    setting: str,
    read_only: list[Path],
    env: dict[str, str],
    *,
    files: list[str] | None = None,
    links: list[tuple[str, str]] | None = None,
    unsafe_no_sandbox: bool = False,
) -> SandboxRuntime:
    """The sandbox this machine can run for the cohort's `sandbox` setting (auto or bwrap).

    Raises `SandboxUnavailable` when bubblewrap cannot make its sandbox here, unless the
    trainer asked for `unsafe_no_sandbox`: then the worker runs with resource limits only.
    """
    from academy.cohort.cgroups import memory_cap

    python = sys.executable
    paths = _runtime_paths(read_only)
    common = {
        "python": python,
        "read_only": paths,
        "env": tuple(sorted(env.items())),
        "files": tuple(files or ()),
        "links": tuple(links or ()),
    }
    cap, systemd_run = memory_cap()
    if unsafe_no_sandbox:
        return SandboxRuntime(
            mode="none",
            warning=UNSAFE.format(why="--unsafe-no-sandbox was given"),
            memory_cap="cgroup" if cap == "cgroup" else "rlimits",
            **common,  # type: ignore[arg-type]
        )
    bwrap = shutil.which("bwrap")
    runtime = SandboxRuntime(
        mode="bwrap",
        bwrap=bwrap,
        bwrap_options=_bwrap_options(bwrap),
        memory_cap=cap,
        systemd_run=systemd_run,
        **common,  # type: ignore[arg-type]
    )
    problem = "bubblewrap (bwrap) is not installed" if bwrap is None else None
    if bwrap is not None:
        complaint = _probe(runtime)
        if complaint:
            problem = f"bubblewrap cannot create its sandbox here ({complaint})"
    if problem is not None:
        raise SandboxUnavailable(problem, how_to_fix(problem))
    return runtime


UNSAFE = (
    "NOT SANDBOXED: {why}. Learner code ran with only resource limits: it could read your "
    "files (solutions, the gradebook, your environment's secrets), write to them and use the "
    "network. Every grade of this run is marked as graded without a sandbox."
)


class SandboxUnavailable(RuntimeError):
    """Bubblewrap cannot make a sandbox on this machine, and how to fix that."""

    def __init__(self, problem: str, fix: str):
        super().__init__(problem)
        self.problem = problem
        self.fix = fix
