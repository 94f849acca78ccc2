"""Plain-language explanations of what happened to each question.

These messages are what learners read in their feedback, so they follow one rule: never
reveal a hidden test. A failure is only described in detail (the assertion message, the
error) when the failing line is one the learner can already see in their own notebook;
anything raised from a hidden line, or that cannot be placed, gets a generic message
that names the kind of problem and nothing else. Tracebacks are never shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from academy.cohort.sandbox_worker import (
    KERNEL_DIED,
    NOT_RUN,
    NOTEBOOK_TIME_LIMIT,
    OUTPUT_TRUNCATED,
    UNRESPONSIVE,
)
from academy.cohort.settings import GradingLimits
from academy.lesson.exercise import NotAttempted

Status = Literal["passed", "partial", "failed", "not-attempted", "not-run", "manual", "not-graded"]
HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_FRAME = re.compile(r"Cell In\s*\[(\d+)\],\s*line (\d+)")

FRIENDLY = {
    "NameError": "a name it uses is not defined yet: run the cells above it, and check the spelling",
    "TypeError": "a value has the wrong type for what is done with it",
    "ValueError": "a value has the right type but an unexpected content",
    "KeyError": "it looks up a key or column that does not exist",
    "IndexError": "it reads past the end of a list",
    "AttributeError": "it uses a method or attribute the value does not have",
    "ZeroDivisionError": "it divides by zero (think about empty inputs)",
    "SyntaxError": "Python cannot read the code: check brackets, quotes, colons and indentation",
    "IndentationError": "the indentation is off: line the code up with 4 spaces per level",
    "NotImplementedError": "the starter code is still there: replace `raise NotImplementedError()` with your answer",
    "RecursionError": "a function keeps calling itself without stopping",
    "MemoryError": "it tried to use more memory than graded work may use ({memory_mb} MB)",
    "FileNotFoundError": "it opens a file that is not part of the exercise",
    "PermissionError": "it touches something graded work is not allowed to touch",
    "OSError": "it tried something the grader does not allow (files, network or processes)",
    "BlockingIOError": "it tried to start more processes than graded work may use",
    "ModuleNotFoundError": "it imports a package that is not installed for grading",
    "ImportError": "it imports something that is not available for grading",
    "StdinNotImplementedError": "input() waits for someone to type, and nobody types during grading: put the value in the code instead",
    "KeyboardInterrupt": "it was stopped because it ran too long",
    "CellTimeoutError": "it ran longer than {cell_timeout} seconds and was stopped: look for a loop that never ends",
    KERNEL_DIED: "Python stopped while running it (it crashed, ran out of memory or called exit); the cells after it were not run",
    UNRESPONSIVE: "it ran too long and did not stop when interrupted; the cells after it were not run",
    NOTEBOOK_TIME_LIMIT: "the whole notebook ran longer than {notebook_timeout} seconds, so grading stopped here",
    NOT_RUN: "it was not run because grading had stopped earlier in the notebook",
}
GENERIC = "it raised {ename}"


@dataclass(frozen=True)
class Verdict:
    status: Status
    message: str


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def explain_error(ename: str, limits: GradingLimits) -> str:
    template = FRIENDLY.get(ename, GENERIC)
    return template.format(
        ename=ename,
        memory_mb=limits.memory_mb,
        cell_timeout=limits.cell_timeout,
        notebook_timeout=limits.notebook_timeout,
    )


def hidden_lines(source: str) -> set[int]:
    """1-based line numbers of a test cell that learners never see (markers included)."""
    hidden: set[int] = set()
    inside = False
    for number, line in enumerate(source.splitlines(), start=1):
        if line.strip().startswith(HIDDEN_BEGIN):
            inside = True
        if inside:
            hidden.add(number)
        if line.strip().startswith(HIDDEN_END):
            inside = False
    return hidden


def failing_line(error: dict[str, Any], execution_count: int | None) -> int | None:
    """The line of the test cell itself where the error was raised, when it can be placed."""
    if execution_count is None:
        return None
    text = _ANSI.sub("", "\n".join(_text(line) for line in error.get("traceback", [])))
    lines = [int(m.group(2)) for m in _FRAME.finditer(text) if int(m.group(1)) == execution_count]
    return lines[-1] if lines else None


TIMEOUTS = ("CellTimeoutError", "KeyboardInterrupt")


def first_error(cell: dict[str, Any]) -> dict[str, Any] | None:
    """The error that explains the cell: a timeout if there was one, else the first error."""
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    timeout = next((o for o in errors if o.get("ename") == "CellTimeoutError"), None)
    return timeout or (errors[0] if errors else None)


def printed_to_stderr(cell: dict[str, Any]) -> bool:
    return any(
        o.get("output_type") == "stream" and o.get("name") == "stderr"
        for o in cell.get("outputs", [])
    )


def answer_problem(cells: list[dict[str, Any]], limits: GradingLimits) -> str | None:
    """What went wrong in the learner's own answer cells (their own code: safe to show)."""
    for cell in cells:
        error = first_error(cell)
        if error is None:
            continue
        ename = error.get("ename", "Error")
        if ename in (
            NOT_RUN,
            KERNEL_DIED,
            UNRESPONSIVE,
            NOTEBOOK_TIME_LIMIT,
            *TIMEOUTS,
            "NotImplementedError",
        ):
            return f"Your answer cell did not finish: {explain_error(ename, limits)}."
        evalue = _text(error.get("evalue", "")).strip()[:300]
        detail = f" ({evalue})" if evalue else ""
        return f"Your answer cell stopped with {ename}{detail}: {explain_error(ename, limits)}."
    return None


def explain_test(
    test_cell: dict[str, Any],
    score: float | None,
    points: float,
    attempted: bool,
    answer_cells: list[dict[str, Any]],
    limits: GradingLimits,
) -> Verdict:
    """The verdict on one autograded question, in words a learner can act on."""
    if score is not None and score >= points:
        return Verdict("passed", "All checks passed.")
    error = first_error(test_cell)
    if not attempted:
        return Verdict(
            "not-attempted", "Not attempted yet: the answer cell still has the starter code."
        )
    if error is not None and error.get("ename") == NotAttempted.__name__:
        return _not_attempted(error, test_cell)
    own = answer_problem(answer_cells, limits)
    if score is not None and 0 < score < points and error is None:
        return Verdict("partial", f"Partly right: {score:g} of {points:g} points.")
    if error is None:
        if printed_to_stderr(test_cell):
            message = (
                "The checks printed a warning or an error message, which counts as not passing."
            )
        else:
            message = "The checks did not pass."
        return Verdict("failed", " ".join(filter(None, [own, message])))
    ename = error.get("ename", "Error")
    if ename in (NOT_RUN, NOTEBOOK_TIME_LIMIT, KERNEL_DIED, UNRESPONSIVE):
        return Verdict(
            "not-run", " ".join(filter(None, [own, f"Not graded: {explain_error(ename, limits)}."]))
        )
    if ename in TIMEOUTS:  # says nothing about which check was running
        return Verdict(
            "failed",
            " ".join(
                filter(None, [own, f"The checks did not finish: {explain_error(ename, limits)}."])
            ),
        )
    source = _text(test_cell.get("source", ""))
    line = failing_line(error, test_cell.get("execution_count"))
    visible = line is not None and line not in hidden_lines(source)
    if visible and ename == "AssertionError":
        evalue = _text(error.get("evalue", "")).strip()
        shown = evalue or source.splitlines()[line - 1].strip()  # type: ignore[operator]
        message = f"A check did not pass: {shown}"
    elif visible:
        evalue = _text(error.get("evalue", "")).strip()[:300]
        detail = f" ({evalue})" if evalue else ""
        message = f"A check stopped with {ename}{detail}: {explain_error(ename, limits)}."
    elif ename == "AssertionError":
        message = (
            "Your answer passes the checks you can see but not the hidden ones, which try other "
            "cases: make sure it works in general, not only for the example."
        )
    else:
        message = f"While the hidden checks ran your code, {explain_error(ename, limits)}."
    return Verdict("failed", " ".join(filter(None, [own, message])))


def _not_attempted(error: dict[str, Any], test_cell: dict[str, Any]) -> Verdict:
    """The checks found the part unfinished (the exercise helpers raised NotAttempted).

    Its message names the function and the fix; it is shown only when raised from a line
    the learner can see, like any other check's message.
    """
    source = _text(test_cell.get("source", ""))
    line = failing_line(error, test_cell.get("execution_count"))
    evalue = _text(error.get("evalue", "")).strip()
    if line is not None and line not in hidden_lines(source) and evalue:
        return Verdict("not-attempted", evalue)
    return Verdict("not-attempted", "Not attempted yet: your function does not give an answer.")


def truncated(cells: list[dict[str, Any]]) -> bool:
    """Whether the grader cut any output short."""
    marker = OUTPUT_TRUNCATED.strip()
    for cell in cells:
        for output in cell.get("outputs", []):
            text = _text(output.get("text", "")) + _text(
                output.get("data", {}).get("text/plain", "")
            )
            if marker in text:
                return True
    return False


def uses_widgets(cells: list[dict[str, Any]]) -> bool:
    return any(
        "application/vnd.jupyter.widget-view+json" in output.get("data", {})
        for cell in cells
        for output in cell.get("outputs", [])
    )
