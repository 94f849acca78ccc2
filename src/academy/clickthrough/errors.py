"""Problems found while building a click-through lesson, each at a place in its file.

`loc` is a path into the lesson file, e.g. ("steps", 3, "answer"); the build turns it
into a line number. Plain Python, so the step kinds (also imported by the learner's
kernel) can raise them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from academy.core.yamlfile import Loc


class LessonProblem(Exception):
    """A problem at `loc` in a lesson file."""

    def __init__(self, loc: Loc, message: str):
        super().__init__(message)
        self.loc = loc
        self.message = message


class QueryError(LessonProblem):
    """A query that cannot run on this city's data."""


class ResolveError(LessonProblem):
    """The lesson cannot be built for this city's data."""
