"""`academy cohort doctor`: what confines graded notebooks on this machine, and what to fix.

One check per part of the sandbox: bubblewrap and its namespaces, the memory cap that
applies here (a cgroup, a systemd user scope, or per-process limits only), the size of the
two writable tmpfs, and, for a cohort, that every released exercise's data can be read
inside the sandbox. Each check says what it found and, if it is not right, the fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from academy.cohort.folder import CohortFolder
from academy.cohort.settings import GradingLimits

Level = Literal["ok", "warning", "error"]

MEMORY_CAPS = {
    "cgroup": "a cgroup per sandbox caps its processes and their memory together "
    "(the grader runs as root)",
    "systemd": "each sandbox runs in its own systemd user scope with MemoryMax and TasksMax",
    "rlimits": "only per-process limits apply (address space, CPU, file size, process count): "
    "a sandbox's processes together, and shared memory, are not capped. To cap them, grade "
    "as a user whose systemd user manager delegates the memory controller (cgroup v2), or as root",
}


@dataclass(frozen=True)
class Check:
    name: str
    level: Level
    found: str


@dataclass
class Diagnosis:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.level != "error" for c in self.checks)


def diagnose(folder: CohortFolder | None = None) -> Diagnosis:
    """Every check, for this machine (and the cohort's exercises when one is given)."""
    from academy.cohort.cgroups import sandbox_memory_bytes
    from academy.cohort.sandbox import SandboxUnavailable, detect_runtime, shm_bytes

    result = Diagnosis()
    limits = folder.settings.limits if folder else GradingLimits()
    try:
        runtime = detect_runtime("auto", [], {})
    except SandboxUnavailable as exc:
        result.checks.append(Check("bubblewrap", "error", f"{exc.problem}; to fix it, {exc.fix}"))
        return result
    result.checks.append(
        Check(
            "bubblewrap",
            "ok",
            f"{runtime.bwrap} creates its namespaces: graded notebooks "
            "get no network, no view of your files and no capabilities",
        )
    )
    level: Level = "ok" if runtime.memory_cap != "rlimits" else "warning"
    cap = sandbox_memory_bytes(limits) >> 20
    found = MEMORY_CAPS[runtime.memory_cap]
    if runtime.memory_cap != "rlimits":
        found += f" ({cap} MiB and {limits.processes} processes per sandbox)"
    result.checks.append(Check("memory", level, found))
    if "--size" in runtime.bwrap_options:
        result.checks.append(
            Check(
                "scratch",
                "ok",
                f"/tmp is a {limits.scratch_mb} MiB tmpfs and /dev/shm a "
                f"{shm_bytes(limits) >> 20} MiB one; everything else is read-only",
            )
        )
    else:
        result.checks.append(
            Check(
                "scratch",
                "warning",
                "this bubblewrap is older than 0.5 and cannot size its "
                "tmpfs: /tmp and /dev/shm may fill half the memory; install a newer bubblewrap",
            )
        )
    if folder is not None:
        result.checks += _data_checks(folder)
    return result


def _data_checks(folder: CohortFolder) -> list[Check]:
    from academy.cohort.grade import sandbox_runtime
    from academy.cohort.manifest import load_manifest
    from academy.core.errors import AcademyError

    checks = []
    for exercise in folder.released_exercises():
        manifest = load_manifest(folder, exercise)
        if not manifest.datasets:
            continue
        try:
            sandbox_runtime(folder, manifest)
        except AcademyError as exc:
            checks.append(Check(f"data for {exercise}", "error", str(exc)))
        else:
            names = ", ".join(manifest.datasets)
            checks.append(Check(f"data for {exercise}", "ok", f"{names} read inside the sandbox"))
    return checks
