"""Outputs that stay true: after any grade changes, every output made from the grades is
made again from the new ones.

The feedback pages, the report and the certificates are written from the gradebook.
Each command that writes one records where (`.academy/outputs.json`); each command that
changes a grade (`grade`, `extend`) then calls `refresh_outputs`, which rewrites the
feedback of every graded learner, the report where it was last written, and the
certificates (issuing new ones and revoking those whose learner no longer qualifies).
A grade changed elsewhere (nbgrader's formgrader) is picked up by `academy cohort
refresh NAME`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from academy.cohort.folder import CohortFolder, atomic_write

OUTPUTS_FILE = "outputs.json"


def _outputs(folder: CohortFolder) -> dict[str, str]:
    path = folder.state_dir / OUTPUTS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}


def remember_output(folder: CohortFolder, kind: str, path: Path) -> None:
    """Note where an output was written, so that a later refresh rewrites it there."""
    outputs = _outputs(folder)
    outputs[kind] = str(path)
    atomic_write(folder.state_dir / OUTPUTS_FILE, json.dumps(outputs, indent=2))


@dataclass
class Refreshed:
    feedback: int = 0
    report: Path | None = None
    certificates: int = 0
    revoked: list[str] = field(default_factory=list)


def refresh_outputs(folder: CohortFolder, progress: object | None = None) -> Refreshed:
    """Rewrite every output that exists from the current grades."""
    from academy.cohort.certificates import issue_certificates
    from academy.cohort.feedback import generate_feedback
    from academy.cohort.report import cohort_report

    done = Refreshed()
    outputs = _outputs(folder)
    for exercise in folder.released_exercises():
        if any(folder.path.glob(f"feedback/*/{exercise}/*.html")) or "feedback" in outputs:
            done.feedback += len(generate_feedback(folder, exercise))
    if "report" in outputs:
        done.report = cohort_report(folder, Path(outputs["report"]), progress=progress)  # type: ignore[arg-type]
    if "certificates" in outputs and folder.settings.track:
        run = issue_certificates(folder, Path(outputs["certificates"]), progress=progress)  # type: ignore[arg-type]
        done.certificates = len(run.issued)
        done.revoked = [c.learner for c in run.revoked]
    return done
