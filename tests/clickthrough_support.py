"""Click-through lessons built in memory, for tests of queries and steps."""

from __future__ import annotations

from typing import Any

from academy.clickthrough.model import ClickLesson

TWO_READS = [{"kind": "read", "title": "a"}, {"kind": "read", "title": "b"}]


def lesson_with(queries: dict[str, Any], steps: list[dict[str, Any]] | None = None) -> ClickLesson:
    """A valid lesson with these queries (reading the table 'rows') and steps."""
    return ClickLesson.model_validate(
        {
            "title": "t",
            "summary": "s",
            "objectives": ["x"],
            "key_points": ["k"],
            "minutes": 1,
            "datasets": ["rows"],
            "queries": queries,
            "steps": steps or TWO_READS,
        }
    )
