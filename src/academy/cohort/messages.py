"""Plain-language explanations of what happened to each question.

These messages are what learners read in their feedback, so they follow two rules. Never
reveal a hidden test: a failure is only described in detail when the failing line is one
the learner can already see; anything raised from a hidden line, or that cannot be
placed, gets a message that names the kind of problem and nothing else. And never repeat
what the kernel said: every detail shown is rebuilt from the author's own text or from a
known Python error shape (`quoting`), so no message can carry a payload. Tracebacks,
temporary file names and the grader's internal names are never shown; each part gets one
message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from academy.cohort.quoting import (
    Quotable,
    clean,
    error_detail,
    quotable,
    syntax_problem,
)
from academy.cohort.sandbox_worker import (
    KERNEL_DIED,
    NOT_RUN,
    NOTEBOOK_TIME_LIMIT,
    OUTPUT_TRUNCATED,
    UNRESPONSIVE,
)
from academy.cohort.settings import GradingLimits
from academy.core.hidden_tests import hidden_lines
from academy.lesson.exercise import NotAttempted

__all__ = ["Quotable", "hidden_lines", "quotable"]

Status = Literal["passed", "partial", "failed", "not-attempted", "not-run", "manual", "not-graded"]
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
GENERIC = "it stopped with an error"


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


def _grade_id(cell: dict[str, Any]) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _named(ename: str) -> str:
    """The error's name when it is one of Python's we explain, else nothing learner-made."""
    return ename if ename in FRIENDLY and ename not in STOPS else "an error"


STOPS = (
    NOT_RUN,
    KERNEL_DIED,
    UNRESPONSIVE,
    NOTEBOOK_TIME_LIMIT,
    "CellTimeoutError",
    "KeyboardInterrupt",
    "NotImplementedError",
)


def answer_problem(
    cells: list[dict[str, Any]], limits: GradingLimits, quote: Quotable | None = None
) -> str | None:
    """What went wrong in the learner's own answer cells, in one sentence."""
    quote = quote or Quotable()
    for cell in cells:
        error = first_error(cell)
        if error is None:
            continue
        ename = _text(error.get("ename", ""))
        if ename in STOPS:
            return f"Your answer cell did not finish: {explain_error(ename, limits)}."
        if ename in ("SyntaxError", "IndentationError"):
            where = syntax_problem(_text(cell.get("source", "")))
            if where is not None:
                return (
                    f"Python cannot read your answer ({where}): check brackets, quotes, colons "
                    "and indentation, then run the cell again."
                )
        detail = error_detail(ename, _text(error.get("evalue", "")), quote, _grade_id(cell))
        named = _named(ename)
        shown = f"{named} ({detail})" if detail and named != "an error" else named
        return f"Your answer cell stopped with {shown}: {explain_error(ename, limits)}."
    return None


def explain_test(
    test_cell: dict[str, Any],
    score: float | None,
    points: float,
    attempted: bool,
    answer_cells: list[dict[str, Any]],
    limits: GradingLimits,
    quote: Quotable | None = None,
) -> Verdict:
    """The verdict on one autograded question, in words a learner can act on.

    `quote` says what may be quoted (see `quoting`); without it only the test cell's own
    visible messages and the exercise helpers' are.
    """
    quote = quote or Quotable.of_test(_text(test_cell.get("source", "")))
    if score is not None and score >= points:
        return Verdict("passed", "All checks passed.")
    error = first_error(test_cell)
    if not attempted:
        return Verdict(
            "not-attempted", "Not attempted yet: the answer cell still has the starter code."
        )
    if error is not None and error.get("ename") == NotAttempted.__name__:
        return _not_attempted(error, test_cell, quote)
    own = answer_problem(answer_cells, limits, quote)
    if score is not None and 0 < score < points and error is None:
        return Verdict("partial", f"Partly right: {score:g} of {points:g} points.")
    if own is not None:  # the answer itself broke: that is the one thing to fix first
        stopped = error is not None and error.get("ename") in (
            NOT_RUN,
            NOTEBOOK_TIME_LIMIT,
            KERNEL_DIED,
            UNRESPONSIVE,
        )
        return Verdict("not-run" if stopped else "failed", own)
    if error is None:
        if printed_to_stderr(test_cell):
            message = (
                "The checks printed a warning or an error message, which counts as not passing."
            )
        else:
            message = "The checks did not pass."
        return Verdict("failed", message)
    ename = _text(error.get("ename", "Error"))
    if ename in (NOT_RUN, NOTEBOOK_TIME_LIMIT, KERNEL_DIED, UNRESPONSIVE):
        return Verdict("not-run", f"Not graded: {explain_error(ename, limits)}.")
    if ename in TIMEOUTS:  # says nothing about which check was running
        return Verdict("failed", f"The checks did not finish: {explain_error(ename, limits)}.")
    source = _text(test_cell.get("source", ""))
    lines = source.splitlines()
    line = failing_line(error, test_cell.get("execution_count"))
    visible = line is not None and 1 <= line <= len(lines) and line not in hidden_lines(source)
    evalue = _text(error.get("evalue", ""))
    grade_id = _grade_id(test_cell)
    if visible and ename == "AssertionError":
        assert line is not None
        if evalue.strip():
            quoted = quote.quote(evalue, grade_id)
            message = (
                f"A check did not pass: {quoted}"
                if quoted
                else f"A check did not pass: {clean(lines[line - 1].strip())}"
            )
        else:
            message = f"A check did not pass: {clean(lines[line - 1].strip())}"
    elif visible:
        detail = error_detail(ename, evalue, quote, grade_id)
        named = _named(ename)
        shown = f"{named} ({detail})" if detail and named != "an error" else named
        message = f"A check stopped with {shown}: {explain_error(ename, limits)}."
    elif ename == "AssertionError":
        message = (
            "Your answer passes the checks you can see but not the hidden ones, which try other "
            "cases: make sure it works in general, not only for the example."
        )
    else:
        message = f"While the hidden checks ran your code, {explain_error(ename, limits)}."
    return Verdict("failed", message)


def _not_attempted(error: dict[str, Any], test_cell: dict[str, Any], quote: Quotable) -> Verdict:
    """The checks found the part unfinished (the exercise helpers raised NotAttempted).

    Its message names the function and the fix; it is shown only when raised from a line
    the learner can see and when it is one of the helpers' own messages.
    """
    source = _text(test_cell.get("source", ""))
    line = failing_line(error, test_cell.get("execution_count"))
    evalue = _text(error.get("evalue", "")).strip()
    if line is not None and line not in hidden_lines(source) and evalue:
        quoted = quote.quote(evalue, _grade_id(test_cell))
        if quoted:
            return Verdict("not-attempted", quoted)
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
