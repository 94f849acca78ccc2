"""`academy cohort link`: count lesson progress recorded under another name for a learner.

A learner who signed in to the lessons with a name or id that is no roster id (a full
name, a nickname, an id with a typo) has progress that counts for nobody; the cohort
report lists it ("Lesson progress that matches nobody on the roster"). Linking the
recorded name to a roster id makes the report and the certificates count it for that
learner. The progress records stay as they were written; the link is kept beside them in
the progress store (`ProgressStore.link_learner`) and a later link replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from academy.cohort.folder import CohortFolder
from academy.cohort.roster import Learner, roster
from academy.core.errors import AcademyError
from academy.core.names import fold


class LinkStore(Protocol):
    """What linking needs from academy.progress.store.ProgressStore."""

    def recorded_learners(self) -> dict[str, str | None]: ...

    def link_learner(self, learner: str, roster_id: str, linked_by: str) -> None: ...


@dataclass(frozen=True)
class Linked:
    """What `link_progress` did."""

    recorded: str
    learner: Learner
    previously: str | None  # the roster id the name was linked to before, if any


def _one(matches: list[str], typed: str, missing: str, fix: str) -> str:
    """The one match of what was typed, or a one-line error (none, or several)."""
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise AcademyError(
            f"{typed!r} could be {', '.join(sorted(matches))}; type it exactly: {fix}"
        )
    raise AcademyError(f"{typed!r}: {missing}; {fix}")


def find_learner(folder: CohortFolder, people: list[Learner], roster_id: str) -> Learner:
    """The roster learner with this id (exactly, else in any case and spacing)."""
    exact = [p for p in people if p.id == roster_id]
    if exact:
        return exact[0]
    key = fold(roster_id)
    found = _one(
        [p.id for p in people if fold(p.id) == key],
        roster_id,
        f"not a roster id of cohort {folder.name}",
        f"see `academy cohort roster show {folder.name}`",
    )
    return next(p for p in people if p.id == found)


def link_progress(
    folder: CohortFolder, recorded: str, roster_id: str, store: LinkStore | None = None
) -> Linked:
    """Count the lesson progress recorded under `recorded` for the learner `roster_id`."""
    learner = find_learner(folder, roster(folder), roster_id)
    if store is None:
        from academy.progress.store import ProgressStore

        store = ProgressStore()
    names = store.recorded_learners()
    if recorded not in names:
        key = fold(recorded)
        recorded = _one(
            [name for name in names if fold(name) == key],
            recorded,
            "no lesson progress is recorded under this name",
            "use a name from the list 'Lesson progress that matches nobody on the roster' "
            f"in `academy cohort report {folder.name}`",
        )
    if recorded == learner.id:
        raise AcademyError(
            f"{recorded!r}: this is already {learner.name}'s roster id, so their progress "
            "counts for them; nothing to link"
        )
    previously = names[recorded]
    store.link_learner(recorded, learner.id, linked_by=f"academy cohort link {folder.name}")
    return Linked(recorded, learner, previously)
