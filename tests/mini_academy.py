"""A tiny, valid academy written into a folder, for tool tests to break one rule at a time."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from academy.data.cards import write_cards

REPO = Path(__file__).resolve().parents[1]
LESSON_PATH = "tracks/basics/first-course/lesson-one.md"

FILES = {
    "curriculum/academy.yml": """\
name: Mini Academy
tagline: A tiny academy for tests.
organisation: Test team
city: baltimore
tracks: [basics]
""",
    "curriculum/objectives.yml": """\
objectives:
  - id: count-rows
    statement: Count the rows of a table.
  - id: read-chart
    statement: Read a bar chart.
""",
    "curriculum/roles.yml": """\
roles:
  - id: crew-member
    title: Crew member
    description: Works on a crew.
    path: [first-course]
""",
    "curriculum/tracks/basics.yml": """\
id: basics
title: Basics
audience: Everyone.
summary: The basics.
outcomes: [count-rows]
courses:
  - id: first-course
    title: First course
    summary: The first course.
    outcomes: [count-rows, read-chart]
""",
    "tracks/basics/first-course/_config.yml": "title: First course\n",
    "tracks/basics/first-course/_toc.yml": """\
format: jb-book
root: intro
chapters:
  - file: lesson-one
""",
    "tracks/basics/first-course/intro.md": "# First course\n\nWelcome.\n",
    "tracks/basics/first-course/lesson-one.md": """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  name: python3
  display_name: Python 3
academy:
  objectives: [count-rows, read-chart]
  key_points:
    - A table has rows.
  minutes: 5
  datasets: [service_requests]
---

# Lesson one

```{code-cell} ipython3
:tags: [remove-cell]
from academy.lesson import glue
glue("three", "3", display=False)
```

A table with {glue:text}`three` rows.

![A bar chart of rows](chart.png)
""",
    "exercises/source/first-exercise/exercise.yml": """\
title: First exercise
course: first-course
notebook: first-exercise.ipynb
minutes: 10
datasets: []
grade_ids:
  part-a: [count-rows]
""",
}


def _notebook() -> dict:
    return {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "answer",
                "metadata": {
                    "nbgrader": {
                        "grade": True,
                        "grade_id": "part-a",
                        "locked": False,
                        "points": 1,
                        "schema_version": 3,
                        "solution": True,
                    }
                },
                "outputs": [],
                "source": "answer = 3\nassert answer == 3",
            }
        ],
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def write_mini_academy(root: Path) -> Path:
    """Write the valid mini academy under `root` (real dataset packages copied in)."""
    for rel_path, text in FILES.items():
        path = root / rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "exercises/source/first-exercise/first-exercise.ipynb").write_text(
        json.dumps(_notebook())
    )
    shutil.copytree(REPO / "datasets", root / "datasets")
    shutil.copytree(REPO / "site", root / "site")
    shutil.copy(REPO / "tracks" / "_book_defaults.yml", root / "tracks" / "_book_defaults.yml")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    write_cards(root)  # the data cards list where this academy uses each dataset
    return root


def edit(root: Path, rel_path: str, old: str, new: str) -> None:
    """Replace `old` (which must be there) by `new` in one file of the academy."""
    path = root / rel_path
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel_path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
