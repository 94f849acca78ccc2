"""Warm kernels for the lesson server: ready before learners arrive, for any lesson.

Why not Voilà's own pools: they keep warm kernels *per lesson* (a class opening one
lesson waits behind the one or two warm for it) and never protect a kernel once it is
handed out, so the idle culler could stop it before the learner's page connected.

Here one set of spare kernels serves every lesson:

- a spare is a started kernel that has already imported the lesson runner and answered
  a request (a kernel that dies on the way is replaced, never handed out);
- a page takes a spare at once; the spare is moved to the lesson's folder and given the
  request's environment (who the learner is, the page URL), then Voilà runs the lesson in
  it, which takes milliseconds because everything is imported;
- as many spares are kept as the class needs: at least `class_size` (the cohort's roster
  size with `academy serve --cohort`), and at least as many as lessons were opened in the
  last `demand_window` seconds; never more kernels in all than the memory budget allows;
- a kernel handed to a page is never culled before that page connects (or
  `connect_grace` seconds pass without it: a crawler or a closed tab), and spares are
  never culled;
- a kernel that dies is stopped rather than restarted empty, so its page notices and opens
  the lesson again in a fresh kernel (the page script, academy.js, says so plainly);
- kernels talk to the server over Unix sockets (`ipc`), one socket file per kernel, so no
  TCP ports are chosen, released and then raced for by a burst of kernel starts
  ("ZMQError: Address already in use").
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Float, Integer, Unicode

from academy.core import defaults

#: What a spare runs before it counts as warm: the lesson runner and what it imports.
WARM_CODE = "import academy.clickthrough.app, academy.progress.store"
#: Resident memory one learner's kernel is budgeted at (measured ~70 MB; see the benchmark).
KERNEL_MB = 90
#: Share of the machine's memory the lesson kernels may use by default.
DEFAULT_BUDGET_SHARE = 0.5
#: Warm kernels kept by default: one class.
DEFAULT_CLASS_SIZE = 30


def machine_memory_mb() -> int:
    """Physical memory of this machine in MB."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**20)
    except (ValueError, OSError, AttributeError):
        return 8192


@dataclass(frozen=True)
class KernelBudget:
    """How many kernels the server may run, from a memory budget (pure numbers)."""

    memory_mb: int
    kernel_mb: int = KERNEL_MB

    @property
    def max_kernels(self) -> int:
        return max(1, self.memory_mb // self.kernel_mb)

    @classmethod
    def default(cls, share: float = DEFAULT_BUDGET_SHARE) -> KernelBudget:
        return cls(memory_mb=int(machine_memory_mb() * share))


def spare_target(class_size: int, recent_opens: int, in_use: int, max_kernels: int) -> int:
    """Spares to keep: enough for the class or for recent demand, within the budget."""
    return max(0, min(max(class_size, recent_opens), max_kernels - in_use))


class WarmKernelManager(AsyncMappingKernelManager):
    """Kernel manager whose `start_kernel` hands out a warm spare (see the module doc)."""

    class_size = Integer(
        DEFAULT_CLASS_SIZE, config=True, help="Spare warm kernels kept at least (0: none)."
    )
    max_kernels = Integer(
        0, config=True, help="Kernels in all, spares included (0: from the memory budget)."
    )
    demand_window = Float(
        600, config=True, help="Seconds of lesson opens that size the spares (demand)."
    )
    connect_grace = Float(
        defaults.CONNECT_GRACE_SECONDS,
        config=True,
        help="Seconds a handed-out kernel is kept for its page to connect.",
    )
    start_concurrency = Integer(
        0, config=True, help="Kernels started at the same time (0: one per core)."
    )
    warm_kernel_name = Unicode("python3", config=True, help="Kernel spec of the spares.")
    take_timeout = Float(120, config=True, help="Seconds a page waits for a kernel.")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._spares: deque[str] = deque()
        self._warming: set[str] = set()
        self._launching = 0
        self._waiters: deque[asyncio.Future[str]] = deque()
        self._handed: dict[str, float] = {}
        self._opens: deque[float] = deque()
        self._failures = 0
        self._slots: asyncio.Semaphore | None = None
        self._closing = False
        self._tasks: set[asyncio.Future[Any]] = set()
        with contextlib.suppress(RuntimeError):
            asyncio.get_event_loop().call_soon(self.fill)

    # -- sizes --------------------------------------------------------------------------
    @property
    def kernel_limit(self) -> int:
        return self.max_kernels or KernelBudget.default().max_kernels

    def recent_opens(self) -> int:
        now = time.monotonic()
        while self._opens and now - self._opens[0] > self.demand_window:
            self._opens.popleft()
        return len(self._opens)

    def in_use(self) -> int:
        """Kernels given to pages (or started outside the spares)."""
        return len(self._kernels) - len(self._spares) - len(self._warming)

    def status(self) -> dict[str, int]:
        """Numbers for the log and the benchmark."""
        return {
            "spares": len(self._spares),
            "starting": self._launching,
            "in_use": self.in_use(),
            "waiting": len(self._waiters),
            "target": self._target(),
            "limit": self.kernel_limit,
        }

    def _target(self) -> int:
        return spare_target(self.class_size, self.recent_opens(), self.in_use(), self.kernel_limit)

    # -- keeping spares -----------------------------------------------------------------
    def fill(self) -> None:
        """Start kernels until spares (ready or starting) cover the target and the waiters."""
        if self._closing:
            return
        room = self.kernel_limit - len(self._kernels) - self._launching
        missing = self._target() + len(self._waiters) - len(self._spares) - self._launching
        for _ in range(max(0, min(missing, room))):
            self._launching += 1
            task = asyncio.ensure_future(self._warm_one())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _start_slots(self) -> asyncio.Semaphore:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.start_concurrency or os.cpu_count() or 2)
        return self._slots

    async def _warm_one(self) -> None:
        kernel_id = None
        try:
            kernel_id = await self._start_spare()
        except Exception as exc:
            self.log.warning("a spare lesson kernel failed to start (%s); starting another", exc)
            self._failures += 1
        finally:
            self._launching -= 1
        if kernel_id is None:
            if not self._closing:
                await asyncio.sleep(min(30.0, 0.5 * 2 ** min(self._failures, 6)))
                self.fill()
            return
        self._failures = 0
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(kernel_id)
                return
        self._spares.append(kernel_id)

    async def _start_spare(self) -> str | None:
        """Start one kernel and warm it; None when the server is closing."""
        async with self._start_slots():
            if self._closing:
                return None
            kernel_id = await super().start_kernel(kernel_name=self.warm_kernel_name)
            self._warming.add(kernel_id)
            try:
                await self._run(kernel_id, WARM_CODE, timeout=self.take_timeout)
            except Exception:
                with contextlib.suppress(Exception):
                    await super().shutdown_kernel(kernel_id, now=True)
                raise
            finally:
                self._warming.discard(kernel_id)
            return kernel_id

    async def _run(self, kernel_id: str, code: str, timeout: float) -> None:
        """Run `code` silently in a kernel; raises if it fails or the kernel does not answer."""
        client = self.get_kernel(kernel_id).client()
        client.start_channels()
        try:
            msg_id = client.execute(code, silent=True, store_history=False, allow_stdin=False)
            deadline = time.monotonic() + timeout
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no reply in {timeout:.0f} s")
                # an async manager's client is an AsyncKernelClient; jupyter_client types
                # client() as the blocking one
                reply = await client.get_shell_msg(timeout=left)  # type: ignore[misc]
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
            if reply["content"].get("status") != "ok":
                content = reply["content"]
                raise RuntimeError(f"{content.get('ename', 'error')}: {content.get('evalue', '')}")
        finally:
            client.stop_channels()

    async def _alive(self, kernel_id: str) -> bool:
        kernel = self._kernels.get(kernel_id)
        if kernel is None or getattr(kernel, "execution_state", "") == "dead":
            return False
        return bool(await kernel.is_alive())

    async def _take(self) -> str:
        while self._spares:
            kernel_id = self._spares.popleft()
            if await self._alive(kernel_id):
                return kernel_id
            with contextlib.suppress(Exception):
                await super().shutdown_kernel(kernel_id, now=True)
        waiter: asyncio.Future[str] = asyncio.get_event_loop().create_future()
        self._waiters.append(waiter)
        self.fill()
        try:
            return await asyncio.wait_for(waiter, self.take_timeout)
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)

    # -- handing out ----------------------------------------------------------------------
    # async, as jupyter_server's managers are; jupyter_client declares a sync wrapper
    async def start_kernel(  # type: ignore[override]
        self,
        kernel_name: str | None = None,
        path: str | None = None,
        env: dict[str, str] | None = None,
        kernel_id: str | None = None,
        **kwargs: Any,
    ) -> str:
        """A warm spare, moved to `path` with `env`; a new kernel for anything else."""
        name = kernel_name or self.default_kernel_name
        if self.class_size <= 0 or kernel_id is not None or name != self.warm_kernel_name:
            return await super().start_kernel(  # path: jupyter_server's ApiPath, a NewType of str
                kernel_name=kernel_name,
                path=path,  # type: ignore[arg-type]
                env=env,
                kernel_id=kernel_id,
                **kwargs,
            )
        self._opens.append(time.monotonic())
        began = time.monotonic()
        for attempt in range(3):
            taken = await self._take()
            try:
                await self._run(taken, _adopt_code(self, path, env), timeout=30)
            except Exception as exc:
                self.log.warning("a spare kernel did not answer (%s); taking another", exc)
                with contextlib.suppress(Exception):
                    await super().shutdown_kernel(taken, now=True)
                if attempt == 2:
                    raise
                continue
            break
        self._handed[taken] = time.monotonic()
        self.log.info(
            "lesson kernel %s ready in %.3f s %s", taken, time.monotonic() - began, self.status()
        )
        # a jupyter_server ServerKernelManager (it has last_activity); typed as the base class
        self.get_kernel(taken).last_activity = utcnow()  # type: ignore[attr-defined]
        self.fill()
        return taken

    async def _finish_kernel_start(self, kernel_id: str) -> None:
        await super()._finish_kernel_start(kernel_id)
        self.add_restart_callback(kernel_id, lambda: self._kernel_lost(kernel_id), "restart")

    def _kernel_lost(self, kernel_id: str) -> None:
        """A lesson kernel that died was restarted empty: its page cannot work any more, so
        stop it (the page sees it gone and opens the lesson again in a fresh kernel)."""
        self.log.warning("lesson kernel %s died; its page will open the lesson again", kernel_id)
        task = asyncio.ensure_future(self._stop_lost(kernel_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _stop_lost(self, kernel_id: str) -> None:
        for _ in range(30):  # once the restart is far enough along to be stopped
            await asyncio.sleep(1)
            if kernel_id not in self._kernels:
                return
            try:
                await self.shutdown_kernel(kernel_id, now=True)
                return
            except Exception as exc:
                self.log.debug("lost kernel %s not stopped yet: %s", kernel_id, exc)

    def notify_connect(self, kernel_id: str) -> None:
        self._handed.pop(kernel_id, None)
        super().notify_connect(kernel_id)

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        """Never cull a spare, nor a kernel whose page has not connected yet (within the
        grace); dead spares are replaced."""
        if kernel_id in self._warming:
            return
        if kernel_id in self._spares:
            if not await self._alive(kernel_id):
                self._spares.remove(kernel_id)
                await super().shutdown_kernel(kernel_id, now=True)
                self.fill()
            return
        handed = self._handed.get(kernel_id)
        if handed is not None:
            if time.monotonic() - handed < max(self.connect_grace, self.cull_idle_timeout):
                kernel = self._kernels.get(kernel_id)
                if kernel is not None and getattr(kernel, "execution_state", "") != "dead":
                    return
            self._handed.pop(kernel_id, None)
        await super().cull_kernel_if_idle(kernel_id)

    # jupyter_client declares it a sync wrapper of its async method; the server awaits it
    async def shutdown_kernel(  # type: ignore[override]
        self, kernel_id: str, now: bool = False, restart: bool = False
    ) -> None:
        self._handed.pop(kernel_id, None)
        with contextlib.suppress(ValueError):
            self._spares.remove(kernel_id)
        await super().shutdown_kernel(kernel_id, now=now, restart=restart)
        if not self._closing:
            self.fill()

    # likewise async where jupyter_client declares a sync wrapper
    async def shutdown_all(self, now: bool = False) -> None:  # type: ignore[override]
        self._closing = True
        for waiter in self._waiters:
            waiter.cancel()
        await super().shutdown_all(now=now)


def _adopt_code(manager: WarmKernelManager, path: str | None, env: dict[str, str] | None) -> str:
    """Python that gives a spare the request's environment and the lesson's folder."""
    # keys may be str enums (Voilà's ENV_VARIABLE), whose repr is not Python
    changed = {str(k): str(v) for k, v in (env or {}).items() if os.environ.get(str(k)) != str(v)}
    lines = ["import os as _academy_os", f"_academy_os.environ.update({changed!r})"]
    if path is not None:
        cwd = manager.cwd_for_path(path, env=env or {})
        lines.append(f"_academy_os.chdir({cwd!r})")
    lines.append("del _academy_os")
    return "\n".join(lines)
