"""`academy cohort collect`: take in what learners handed in on the hub, through nbgrader's
exchange (JupyterHub: the Assignments tab's Submit).

nbgrader's exchange keeps every submission as `<exchange>/<cohort>/inbound/
<learner>+<exercise>+<timestamp>/`; this picks the folders of one exercise and imports
them like any other download (`submissions.import_submissions`): matched to the roster,
the newest submission of each learner, the hand-in time from nbgrader's timestamp, an
earlier one kept when replaced, and anything from someone not on the roster listed.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from academy.cohort.folder import CohortFolder
from academy.cohort.submissions import EXCHANGE_FOLDER, ImportReport, import_submissions
from academy.core.errors import AcademyError


def inbound(exchange: Path, folder: CohortFolder) -> Path:
    """The cohort's inbound folder in the exchange."""
    return exchange / folder.name / "inbound"


def collect_submissions(folder: CohortFolder, exercise: str, exchange: Path) -> ImportReport:
    """Import every submission of `exercise` that reached the exchange."""
    source = inbound(exchange, folder)
    if not source.is_dir():
        raise AcademyError(
            f"{source}: no inbound folder in the exchange; release the exercise with "
            f"`academy cohort release {folder.name} {exercise} --exchange {exchange}` first"
        )
    with tempfile.TemporaryDirectory(prefix="academy-collect-") as scratch:
        staged = Path(scratch) / "inbound"
        staged.mkdir()
        for entry in sorted(source.iterdir()):
            found = EXCHANGE_FOLDER.match(entry.name)
            if entry.is_dir() and found and found["assignment"] == exercise:
                shutil.copytree(entry, staged / entry.name)
        return import_submissions(folder, exercise, staged)
