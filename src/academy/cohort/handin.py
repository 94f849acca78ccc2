"""When each learner handed in, where that time comes from, and every hand-in imported.

A hand-in time decides lateness, so each one says where it came from:

* `exchange`: nbgrader's exchange (the `+<timestamp>` of the inbound folder, or the
  `timestamp.txt` nbgrader writes beside a submission);
* `lms`: the learning platform's own record (Moodle's grading worksheet);
* `trainer`: given on the command line with `--submitted-at`;
* `file`: the file's own time, only when the trainer asks for it (`--use-file-times`),
  because a download's file times are the time of the download;
* `import`: none of these, so the time of the import, said on import.

A platform that only says *late* or *on time* (Canvas's `LATE` tag) is kept as `lms_late`:
an on-time hand-in is never made late by the import time, and a late one is shown late
(without a penalty until the trainer gives its time).

Every hand-in imported is kept in `.academy/imports/<exercise>/<learner>.json`
(`current` and the `history` before it), which is how an older download is recognised
when it comes back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from academy.cohort.folder import CohortFolder, atomic_write
from academy.core.strict import Frozen

TimeSource = Literal["exchange", "lms", "trainer", "file", "import"]
#: Sources whose time is the learner's own hand-in time.
TRUSTED_TIMES: tuple[TimeSource, ...] = ("exchange", "lms", "trainer", "file")
NBGRADER_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"


class HandIn(Frozen):
    """One notebook imported for one learner."""

    learner: str = Field(description="Roster id.")
    exercise: str = Field(description="Exercise id.")
    origin: str = Field(description="Where the file was in what the trainer imported.")
    sha256: str = Field(description="Hash of the file as imported.")
    submitted_at: datetime = Field(description="Hand-in time used for grading (UTC).")
    source: TimeSource = Field(description="Where `submitted_at` comes from.")
    imported_at: datetime = Field(description="When it was imported (UTC).")
    platform: str | None = Field(None, description="canvas or moodle when it came from one.")
    lms_late: bool | None = Field(
        None, description="The platform counted it late (None: the platform did not say)."
    )
    lms_order: int | None = Field(
        None, description="The platform's upload number (Canvas attachment id): higher is later."
    )
    renamed_from: str | None = Field(
        None, description="The learner's own file name when it differs from the expected one."
    )
    matched_by_name: bool = Field(
        False, description="Matched to the roster by name only (no id in the download)."
    )

    @property
    def time_is_known(self) -> bool:
        return self.source in TRUSTED_TIMES

    @property
    def writes_timestamp(self) -> bool:
        """Whether nbgrader gets this time: not when the platform's own late flag decides."""
        return self.time_is_known or self.lms_late is None

    def nbgrader_timestamp(self) -> str:
        return self.submitted_at.astimezone(UTC).strftime(NBGRADER_TIME_FORMAT)


class HandInLog(Frozen):
    """The current hand-in of a learner and those it replaced, oldest first."""

    current: HandIn
    history: list[HandIn] = Field(default_factory=list)

    def seen(self, sha256: str) -> HandIn | None:
        """An earlier, replaced hand-in with this content."""
        return next((h for h in reversed(self.history) if h.sha256 == sha256), None)


def log_path(folder: CohortFolder, exercise: str, learner: str) -> Path:
    return folder.state_dir / "imports" / exercise / f"{learner}.json"


def load_log(folder: CohortFolder, exercise: str, learner: str) -> HandInLog | None:
    path = log_path(folder, exercise, learner)
    try:
        return HandInLog.model_validate_json(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValidationError, ValueError):
        return None


def save_log(folder: CohortFolder, log: HandInLog) -> None:
    atomic_write(
        log_path(folder, log.current.exercise, log.current.learner), log.model_dump_json(indent=2)
    )


def current_hand_in(folder: CohortFolder, exercise: str, learner: str) -> HandIn | None:
    """How a learner's current submission came in (None if it was put there by hand)."""
    log = load_log(folder, exercise, learner)
    return log.current if log else None


def is_older(incoming: HandIn, current: HandIn) -> str | None:
    """Why `incoming` is an earlier hand-in than `current` (None: it is not known to be)."""
    if (
        incoming.time_is_known
        and current.time_is_known
        and incoming.submitted_at < current.submitted_at
    ):
        return (
            f"handed in {incoming.submitted_at:%Y-%m-%d %H:%M} UTC, before the one already "
            f"imported ({current.submitted_at:%Y-%m-%d %H:%M} UTC)"
        )
    if (
        incoming.lms_order is not None
        and current.lms_order is not None
        and incoming.platform == current.platform
        and incoming.lms_order < current.lms_order
    ):
        return f"an earlier upload to {incoming.platform} than the one already imported"
    return None
