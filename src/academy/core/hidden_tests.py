"""The hidden tests of an nbgrader test cell: the region learners never see.

nbgrader's `ClearHiddenTests` removes every line from one that contains BEGIN to the
next that contains END, and every marker line, when it releases an exercise; the academy
reads the region the same way, here, for the practice checks a lesson runs and for the
feedback that must never quote a hidden line. A BEGIN without its END hides the rest of
the cell (nbgrader refuses to release such a cell; hiding too much is the safe side).
"""

from __future__ import annotations

from typing import Final

#: nbgrader's `ClearHiddenTests.begin_test_delimeter` and `end_test_delimeter` defaults.
BEGIN: Final[str] = "BEGIN HIDDEN TESTS"
END: Final[str] = "END HIDDEN TESTS"


def hidden_lines(source: str) -> set[int]:
    """1-based numbers of the cell's lines that are hidden tests (markers included)."""
    hidden: set[int] = set()
    inside = False
    for number, line in enumerate(source.split("\n"), start=1):
        if BEGIN in line:
            inside = True
        elif END in line:
            inside = False
        elif not inside:
            continue
        hidden.add(number)
    return hidden


def visible_source(source: str) -> str:
    """The cell's source without its hidden tests (the lines learners see)."""
    hidden = hidden_lines(source)
    lines = source.split("\n")
    return "\n".join(line for number, line in enumerate(lines, start=1) if number not in hidden)


def blanked_source(source: str) -> str:
    """The cell's source with its hidden tests blanked, so every line keeps its number
    (for placing a traceback's line without ever showing a hidden one)."""
    hidden = hidden_lines(source)
    lines = source.split("\n")
    return "\n".join("" if number in hidden else line for number, line in enumerate(lines, 1))
