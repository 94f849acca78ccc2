"""The crews-and-backlog model behind simulation steps (pure Python, no data reading).

Each area starts with a backlog of open jobs and gets new jobs every day. Its crews
finish a fixed number of jobs a day. The backlog shrinks by (crews x rate - new jobs)
a day, so it clears after backlog / that many days, or never if new work outpaces the
crews.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Area:
    """One part of the city in the simulation."""

    name: str
    backlog: int
    new_per_day: int


@dataclass(frozen=True)
class Outcome:
    """What happens in one area with a number of crews."""

    name: str
    crews: int
    days_to_clear: float  # math.inf when the backlog never clears
    cleared_in_time: bool


def days_to_clear(area: Area, crews: int, per_crew: float) -> float:
    """Days until the area's backlog is gone; inf if new work outpaces the crews."""
    net = crews * per_crew - area.new_per_day
    if area.backlog <= 0:
        return 0.0
    if net <= 0:
        return math.inf
    return area.backlog / net


def run(areas: list[Area], crews: list[int], per_crew: float, goal_days: int) -> list[Outcome]:
    """The outcome in every area for this share-out of crews."""
    out = []
    for area, n in zip(areas, crews, strict=True):
        days = days_to_clear(area, n, per_crew)
        out.append(Outcome(area.name, n, days, days <= goal_days))
    return out


def goal_met(outcomes: list[Outcome], crews_total: int) -> bool:
    return sum(o.crews for o in outcomes) <= crews_total and all(
        o.cleared_in_time for o in outcomes
    )


def even_split(n_areas: int, crews_total: int) -> list[int]:
    """Crews shared out as evenly as possible: the starting point learners improve on."""
    base, extra = divmod(crews_total, n_areas)
    return [base + (1 if i < extra else 0) for i in range(n_areas)]


def best_split(areas: list[Area], crews_total: int, per_crew: float) -> list[int]:
    """Crews given one at a time to the area that would otherwise take longest (greedy)."""
    crews = [0] * len(areas)
    for _ in range(crews_total):
        worst = max(range(len(areas)), key=lambda i: days_to_clear(areas[i], crews[i], per_crew))
        crews[worst] += 1
    return crews


def describe_days(days: float) -> str:
    if math.isinf(days):
        return "never: new jobs come in faster than the crews finish them"
    whole = math.ceil(days)
    return f"{whole} day" if whole == 1 else f"{whole} days"


def chart_svg(outcomes: list[Outcome], goal_days: int, label: str) -> str:
    """A small bar chart of days to clear per area with the goal marked; labelled for screen readers."""
    width, row, left, pad = 560, 46, 130, 12
    cap = max(goal_days * 2, 1)
    height = pad * 2 + row * len(outcomes) + 30
    scale = (width - left - 90) / cap
    goal_x = left + goal_days * scale
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{html.escape(label, quote=True)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" class="academy-sim-chart">'
    ]
    for i, o in enumerate(outcomes):
        y = pad + i * row
        days = cap if math.isinf(o.days_to_clear) else min(o.days_to_clear, cap)
        colour = "#1d6b34" if o.cleared_in_time else "#a1281d"
        text = "never" if math.isinf(o.days_to_clear) else describe_days(o.days_to_clear)
        parts.append(
            f'<text x="{left - 8}" y="{y + 26}" text-anchor="end" font-size="15" fill="#222">'
            f"{html.escape(o.name)}</text>"
            f'<rect x="{left}" y="{y + 8}" width="{max(days * scale, 2):.1f}" height="26" fill="{colour}"/>'
            f'<text x="{left + max(days * scale, 2) + 6:.1f}" y="{y + 26}" font-size="14" fill="#222">'
            f"{html.escape(text)}</text>"
        )
    bottom = pad + row * len(outcomes)
    parts.append(
        f'<line x1="{goal_x:.1f}" x2="{goal_x:.1f}" y1="{pad}" y2="{bottom}" stroke="#222" '
        f'stroke-width="2" stroke-dasharray="6 4"/>'
        f'<text x="{goal_x:.1f}" y="{bottom + 20}" text-anchor="middle" font-size="14" fill="#222">'
        f"goal: {goal_days} days</text></svg>"
    )
    return "".join(parts)
