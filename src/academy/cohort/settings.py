"""`cohort.yml`: a cohort's own settings, the one place they are defined.

The cohort's `nbgrader_config.py` is generated from these (see `folder.nbgrader_settings`),
so nbgrader's own commands (formgrader, `nbgrader autograde`) see the same limits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from academy.core.defaults import PASS_MARK
from academy.core.strict import Strict

SandboxMode = Literal["auto", "bwrap"]


class GradingLimits(Strict):
    """What one submission may use while it is graded."""

    cell_timeout: int = Field(
        30, ge=1, le=3600, description="Seconds one cell may run (nbgrader's Execute.timeout)."
    )
    notebook_timeout: int = Field(
        300,
        ge=5,
        le=7200,
        description="Seconds the whole notebook may run; later cells are skipped.",
    )
    memory_mb: int = Field(
        4096, ge=256, description="Address space per process, in MiB (allocations beyond fail)."
    )
    cpu_seconds: int = Field(900, ge=5, description="CPU seconds per process.")
    processes: int = Field(
        128, ge=16, description="Processes and threads the submission may run at once."
    )
    output_kb_per_cell: int = Field(
        256, ge=1, description="Output kept per cell, in KiB; the rest is cut with a note."
    )
    file_mb: int = Field(64, ge=1, description="Largest file the submission may write, in MiB.")
    scratch_mb: int = Field(
        256, ge=16, description="Size of the private scratch folder the submission runs in, in MiB."
    )


class Trainer(Strict):
    """Who runs the cohort and signs its certificates."""

    name: str = Field(min_length=1, description="The trainer's name as printed on certificates.")
    role: str = Field(
        "Trainer", min_length=1, description="Their role or title, printed under the name."
    )


class LatePolicy(Strict):
    """How late work is marked down (applied by nbgrader's late-submission plugin)."""

    grace_minutes: int = Field(
        0, ge=0, description="Minutes after the due date (and any extension) still on time."
    )
    percent_per_day: float = Field(
        10.0,
        ge=0,
        le=100,
        description="Percent of the learner's score taken off per started day late.",
    )
    max_percent: float = Field(
        50.0, ge=0, le=100, description="The most a late hand-in can lose, in percent."
    )


class CohortSettings(Strict):
    """A cohort: who runs it, what it follows, and how it is graded."""

    name: str = Field(description="Cohort name; also its folder name and nbgrader course id.")
    created: datetime = Field(description="When the cohort was created.")
    academy_root: str = Field(
        description="Academy checkout the exercises are released from and the data is read with."
    )
    city: str | None = Field(
        None,
        description=(
            "City whose data the cohort is taught and graded on, recorded when the cohort is "
            "created (None: a cohort made before the city was recorded)."
        ),
    )
    track: str | None = Field(
        None, description="Track id the cohort follows; certificates need it."
    )
    trainer: Trainer | None = Field(
        None, description="Who runs the cohort; certificates are signed in their name."
    )
    late_policy: LatePolicy | None = Field(
        None, description="Late-work penalty; unset: late work is marked late but not marked down."
    )
    pass_mark: float = Field(
        PASS_MARK,
        ge=0,
        le=100,
        description="Percent of an exercise's points that counts as passed.",
    )
    sandbox: SandboxMode = Field(
        "auto",
        description=(
            "auto or bwrap (the same): grade only inside the bubblewrap sandbox, and refuse "
            "when it cannot be made. Grading without it takes `academy cohort grade "
            "--unsafe-no-sandbox`, which is recorded with every grade."
        ),
    )
    limits: GradingLimits = Field(
        default_factory=GradingLimits, description="Resource limits for each submission."
    )
    flat_file_pattern: str | None = Field(
        None,
        description=(
            "Regular expression for flat submission file names whose `student_id` group is "
            "the learner id (nbgrader zip_collect's named_regexp). Unset: a file matches the "
            "roster id that appears in its name as a whole word."
        ),
    )
