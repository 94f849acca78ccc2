"""Practice for a graded exercise, in the lesson before it: check, hint, worked example.

In a lesson::

    from academy.lesson.practice import Practice
    p = Practice("pandas-311-first-look")
    requests = p.given()["requests"]     # the data the exercise gives its functions
    p.question("channel-share")          # the question, as the exercise words it
    p.check("channel-share", channel_share)   # run the exercise's visible checks on your function
    p.hint("channel-share")              # the next hint (call again for the next one)
    p.solution("channel-share")          # a worked solution to a *similar* question

Where things come from (one home for every fact):

- The questions, the function each part asks for, the setup code and the checks are read
  from the exercise's nbgrader source notebook. `check()` runs only the **visible** checks
  (the hidden-test region is cut out before anything runs), so its messages are exactly the
  ones the exercise shows and it can never reveal a hidden test or an expected value.
- Hints and worked examples live beside the notebook in `hints.yml`.

Why `solution()` solves a different question: a full answer to the graded part would let a
learner skip the very step the grade measures, while a worked answer to a sibling question
(another column, another grouping) shows every technique needed and still leaves the last
step to them. The worked example runs on the active city's data, so its output is real.

A blank answer (None, a function that returns None or still raises NotImplementedError)
is reported as "not attempted yet", never as an error: lessons are executed at build time
with the learner's blanks in place. The exercise's checks call the function through
`academy.lesson.exercise.answer_caller`, which raises `NotAttempted` for a blank; `check()`
recognises that exception by its type, never by its message.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import re
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from academy.core.errors import AcademyError
from academy.core.hidden_tests import visible_source
from academy.core.paths import find_root
from academy.core.schema import read_model
from academy.core.yamlfile import read_yaml
from academy.curriculum.models import HintsFile
from academy.lesson.exercise import NotAttempted

__all__ = ["Feedback", "Hint", "Part", "Practice", "WorkedExample"]

Status = Literal["passed", "failed", "not-attempted"]

FUNCTION = re.compile(r"^def\s+(?P<name>[A-Za-z_]\w*)\s*\(", re.M)
HEADING = re.compile(r"^#+\s*(?P<title>.+?)\s*$")


# --- what the notebook says -----------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One graded part of an exercise, as its source notebook defines it."""

    grade_id: str
    title: str
    question: str
    function: str
    points: float
    checks: str  # the visible checks only: the hidden region is already removed


def visible_checks(source: str) -> str:
    """A test cell's source without its hidden-test region."""
    return visible_source(source)


def _source(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def _nbgrader(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _split_question(markdown: str) -> tuple[str, str]:
    lines = markdown.strip().splitlines()
    if lines and (match := HEADING.match(lines[0])):
        return match.group("title"), "\n".join(lines[1:]).strip()
    return "", markdown.strip()


def read_exercise(notebook: Path) -> tuple[list[str], list[Part]]:
    """The setup code (locked, ungraded code cells) and the graded parts of a source notebook."""
    try:
        nb = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise AcademyError(
            f"{notebook}: cannot read the exercise notebook ({exc}); restore it from git"
        ) from exc
    setup: list[str] = []
    parts: list[Part] = []
    question, answer = "", ""
    for cell in nb.get("cells", []):
        meta = _nbgrader(cell)
        text = _source(cell)
        if cell.get("cell_type") == "markdown":
            question = text
        elif meta.get("grade"):
            title, body = _split_question(question)
            found = FUNCTION.search(answer)
            parts.append(
                Part(
                    grade_id=meta["grade_id"],
                    title=title or meta["grade_id"],
                    question=body,
                    function=found.group("name") if found else "",
                    points=float(meta.get("points", 0)),
                    checks=visible_checks(text),
                )
            )
        elif meta.get("solution"):
            answer = text
        elif cell.get("cell_type") == "code" and meta.get("locked"):
            setup.append(text)
    return setup, parts


# --- what the learner sees ------------------------------------------------------------


CODE_SPAN = re.compile(r"`([^`]+)`")


def _text_html(text: str) -> str:
    """Plain text as an HTML paragraph, with `code spans` shown as code."""
    body = CODE_SPAN.sub(r"<code>\1</code>", html.escape(text))
    return f"<p>{body}</p>"


def _box(kind: str, heading: str, body_html: str) -> str:
    return (
        f'<div class="academy-practice academy-practice-{kind}" '
        'style="border-left:4px solid #555;padding:0.25em 0.75em;margin:0.5em 0">'
        f"<p><strong>{html.escape(heading)}</strong></p>{body_html}</div>"
    )


@dataclass(frozen=True)
class Feedback:
    """What `check()` found: passed, failed (with a friendly reason) or not attempted yet."""

    part: str
    status: Status
    message: str

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def heading(self) -> str:
        return {"passed": "Passed", "failed": "Not yet", "not-attempted": "Not attempted yet"}[
            self.status
        ]

    def __str__(self) -> str:
        return f"{self.heading} ({self.part}): {self.message}"

    def _repr_html_(self) -> str:
        return _box(self.status, f"{self.heading} · {self.part}", _text_html(self.message))


@dataclass(frozen=True)
class Hint:
    """One hint for a part; `number` counts from 1."""

    part: str
    number: int
    total: int
    text: str

    def __str__(self) -> str:
        return f"Hint {self.number} of {self.total} ({self.part}): {self.text}"

    def _repr_html_(self) -> str:
        heading = f"Hint {self.number} of {self.total} · {self.part}"
        return _box("hint", heading, _text_html(self.text))


@dataclass(frozen=True)
class WorkedExample:
    """A worked solution to a question similar to a graded part, with its real output."""

    part: str
    question: str
    code: str
    result_text: str
    result_html: str

    def __str__(self) -> str:
        return (
            f"Worked example for a question like {self.part}: {self.question}\n\n"
            f"{self.code}\n\n{self.result_text}"
        )

    def _repr_html_(self) -> str:
        body = (
            f"{_text_html(self.question)}"
            f'<pre style="white-space:pre-wrap"><code>{html.escape(self.code)}</code></pre>'
            f"<p>Its answer for this city's data:</p>{self.result_html}"
        )
        return _box("solution", f"Worked example · a question like {self.part}", body)


@dataclass(frozen=True)
class Question:
    """A part's question as the exercise words it (Markdown)."""

    title: str
    text: str

    def __str__(self) -> str:
        return f"{self.title}\n\n{self.text}"

    def _repr_markdown_(self) -> str:
        return f"**{self.title}**\n\n{self.text}"


def _render(result: Any, alt: str | None) -> tuple[str, str]:
    """(plain text, HTML) for a worked example's result."""
    import altair as alt_lib
    import pandas as pd

    if isinstance(result, alt_lib.TopLevelMixin):
        from academy.lesson.figures import figure

        if not alt:
            raise AcademyError("a worked example that draws a chart needs `alt:` text in hints.yml")
        return alt, figure(result, alt).data
    if isinstance(result, pd.Series):
        result = result.to_frame()
    if isinstance(result, pd.DataFrame):
        shown = result.head(15).round(2)
        return shown.to_string(), shown.to_html(border=0)
    return str(result), f"<pre>{html.escape(str(result))}</pre>"


# --- the practice object --------------------------------------------------------------


@dataclass
class Practice:
    """Practice for the exercise `exercise_id` (a folder under exercises/source/)."""

    exercise_id: str
    root: Path | None = None
    _setup: list[str] = field(init=False, repr=False)
    _parts: dict[str, Part] = field(init=False, repr=False)
    _hints: HintsFile = field(init=False, repr=False)
    _shown: dict[str, int] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        root = self.root or find_root()
        folder = root / "exercises" / "source" / self.exercise_id
        if not folder.is_dir():
            known = sorted(p.name for p in (root / "exercises" / "source").glob("*") if p.is_dir())
            raise AcademyError(
                f"exercises/source/{self.exercise_id}: no such exercise; "
                f"known: {', '.join(known) or 'none'}"
            )
        notebook = _notebook_of(folder)
        self._setup, parts = read_exercise(notebook)
        self._parts = {p.grade_id: p for p in parts}
        self._hints = _read_hints(folder / "hints.yml")
        missing = sorted(set(self._parts) - set(self._hints.parts))
        if missing:
            raise AcademyError(
                f"exercises/source/{self.exercise_id}/hints.yml: no hints for part(s) "
                f"{', '.join(missing)}; add them under parts:"
            )

    @property
    def parts(self) -> list[Part]:
        """The graded parts, in notebook order."""
        return list(self._parts.values())

    def part(self, name: str) -> Part:
        """A part by its grade_id or by the name of the function it asks for."""
        for part in self._parts.values():
            if name in (part.grade_id, part.function):
                return part
        raise AcademyError(f"{self.exercise_id}: no part {name!r}; parts: {', '.join(self._parts)}")

    def question(self, name: str) -> Question:
        """The part's question, exactly as the graded exercise words it."""
        part = self.part(name)
        return Question(part.title, part.question)

    def setup_namespace(self) -> dict[str, Any]:
        """A fresh namespace after running the exercise's setup cells (quietly)."""
        namespace: dict[str, Any] = {"__name__": "__practice__"}
        with contextlib.redirect_stdout(io.StringIO()):
            for i, source in enumerate(self._setup):
                exec(compile(source, f"<{self.exercise_id} setup {i + 1}>", "exec"), namespace)
        return namespace

    def given(self) -> dict[str, Any]:
        """The data and constants the exercise's setup gives every part (e.g. `requests`),
        so a lesson can work with exactly what the graded exercise will pass in."""
        return {
            name: value
            for name, value in self.setup_namespace().items()
            if not name.startswith("_")
            and not callable(value)
            and not isinstance(value, types.ModuleType)
        }

    def check(self, name: str, answer: Callable[..., Any] | None) -> Feedback:
        """Run the exercise's visible checks for one part on your function."""
        part = self.part(name)
        if answer is None:
            return Feedback(
                part.grade_id,
                "not-attempted",
                f"{part.function}: not attempted yet. Define the function and pass it in.",
            )
        if not callable(answer):
            return Feedback(
                part.grade_id,
                "failed",
                f"Pass your function itself, not its result: "
                f"p.check({part.grade_id!r}, {part.function}).",
            )
        namespace = self.setup_namespace()
        namespace[part.function] = answer
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(
                    compile(part.checks, f"<{self.exercise_id} {part.grade_id}>", "exec"), namespace
                )
        except NotAttempted as exc:
            return Feedback(part.grade_id, "not-attempted", str(exc))
        except AssertionError as exc:
            return Feedback(part.grade_id, "failed", str(exc) or "one of the checks failed.")
        except Exception as exc:  # the learner's code raised: say what, kindly
            return Feedback(
                part.grade_id,
                "failed",
                f"Your function raised {type(exc).__name__}: {exc}. Run it on its own to see where.",
            )
        return Feedback(
            part.grade_id,
            "passed",
            "Your function passes every check the graded exercise shows. The grader also runs "
            "hidden checks on the whole table and on samples of it, so make sure it computes "
            "the answer from the data it is given.",
        )

    def hint(self, name: str, number: int | None = None) -> Hint:
        """The next hint for a part (or hint `number`, counting from 1)."""
        part = self.part(name)
        hints = self._hints.parts[part.grade_id].hints
        if number is None:
            number = min(self._shown.get(part.grade_id, 0) + 1, len(hints))
        if not 1 <= number <= len(hints):
            raise AcademyError(f"{part.grade_id} has hints 1 to {len(hints)}, not {number}")
        self._shown[part.grade_id] = max(self._shown.get(part.grade_id, 0), number)
        return Hint(part.grade_id, number, len(hints), hints[number - 1])

    def solution(self, name: str) -> WorkedExample:
        """A worked solution to a question like this part (not the graded one), run on the data."""
        part = self.part(name)
        similar = self._hints.parts[part.grade_id].similar
        namespace = self.setup_namespace()
        with contextlib.redirect_stdout(io.StringIO()):
            exec(
                compile(similar.code, f"<{self.exercise_id} {part.grade_id} example>", "exec"),
                namespace,
            )
        if "result" not in namespace:
            raise AcademyError(
                f"exercises/source/{self.exercise_id}/hints.yml: the worked example for "
                f"{part.grade_id} must assign its answer to `result`"
            )
        text, rendered = _render(namespace["result"], similar.alt)
        return WorkedExample(part.grade_id, similar.question, similar.code.strip(), text, rendered)


def _notebook_of(folder: Path) -> Path:
    sidecar = folder / "exercise.yml"
    if sidecar.is_file():
        doc = read_yaml(sidecar)
        name = doc.data.get("notebook") if isinstance(doc.data, dict) else None
        if isinstance(name, str) and (folder / name).is_file():
            return folder / name
    notebooks = sorted(folder.glob("*.ipynb"))
    if len(notebooks) != 1:
        raise AcademyError(
            f"{folder}: cannot tell which notebook is the exercise; name it in exercise.yml"
        )
    return notebooks[0]


def _read_hints(path: Path) -> HintsFile:
    if not path.is_file():
        raise AcademyError(f"{path}: missing; add the hints and worked examples for each part")
    return read_model(HintsFile, path, fix="fix the hints file (see the file-format reference)")
