"""The resolved lesson: the plain JSON `academy build` writes for each click-through lesson.

Both sides read this module: the build (`resolve`, the printable book page) writes and
shows the format, and the learner's kernel (`app`) reads it. So it imports nothing but
the standard library: the kernel never loads pandas, altair or the build's code. (A
missing value in its tables reads `academy.core.defaults.BLANK`.)

A resolved lesson has every number filled in, tables as rows of text, charts as SVG and
answers as indexes. Every step has the keys of `ResolvedStep`; each step kind adds its
own (see its `resolve` in `academy.clickthrough.kinds`).
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

FORMAT_VERSION = 2
"""Bump when the resolved format changes; the app refuses files of another version."""


class TableData(TypedDict):
    """Rows of data, as text."""

    type: Literal["table"]
    columns: list[str]
    rows: list[list[str]]
    marked: list[bool]
    caption: str | None


class ChartData(TypedDict):
    """A chart drawn at build time, for a wide screen and re-laid out for a phone."""

    type: Literal["chart"]
    svg: str
    svg_narrow: str
    alt: str


class ImageData(TypedDict):
    """A picture, inlined as a data: URL."""

    type: Literal["image"]
    src: str
    alt: str


Media = TableData | ChartData | ImageData


class ResolvedStep(TypedDict):
    """What every resolved step has; its kind adds the rest."""

    kind: str
    title: str
    html: str
    plain: str
    media: list[Media]


class ResolvedLesson(TypedDict):
    """One lesson resolved for one city."""

    format: int
    id: str
    title: str
    summary: str
    course_title: str
    minutes: int
    objectives: list[str]
    key_points: list[str]
    city: str
    data_note: str | None
    links: dict[str, str]
    graded: bool
    """True for a course's graded check: the first answer to each question is the score."""
    steps: list[dict[str, Any]]


class UnavailableLesson(ResolvedLesson):
    """A lesson this city's data cannot teach: no steps, and the sentence that says why."""

    unavailable: str


def is_question(step: dict[str, Any]) -> bool:
    """A step is a question when it asks one: the learner must answer before going on.

    Every question kind resolves a `question` and no other kind does (the tests check
    every registered kind), so this holds for kinds added later too."""
    return "question" in step
