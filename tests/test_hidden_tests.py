"""academy.core.hidden_tests reads the hidden region exactly as nbgrader removes it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from nbformat import from_dict
from nbgrader.preprocessors import ClearHiddenTests

from academy.core.hidden_tests import hidden_lines, visible_source

REPO = Path(__file__).resolve().parents[1]
SOURCES = [
    "a = 1\n### BEGIN HIDDEN TESTS\nsecret = 42\n### END HIDDEN TESTS\nb = 2\n",
    "if x:\n    ### BEGIN HIDDEN TESTS\n    secret()\n    ### END HIDDEN TESTS\n    done()",
    "# BEGIN HIDDEN TESTS (any comment style)\nsecret()\n# END HIDDEN TESTS\n",
    "one()\n### BEGIN HIDDEN TESTS\nx()\n### END HIDDEN TESTS\ntwo()\n"
    "### BEGIN HIDDEN TESTS\ny()\n### END HIDDEN TESTS",
    "no hidden tests here\n",
    "",
]


def _test_cells() -> list[str]:
    """Every graded test cell of the real exercises."""
    found = []
    for path in sorted((REPO / "exercises" / "source").glob("*/*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("grade") and not meta.get("solution"):
                found.append("".join(cell["source"]))
    assert found, "the exercises have test cells"
    return found


def nbgrader_visible(source: str) -> str:
    cell = from_dict({"cell_type": "code", "source": source, "metadata": {}})
    ClearHiddenTests(enforce_metadata=False)._remove_hidden_test_region(cell)
    return cell.source


@pytest.mark.parametrize("source", SOURCES + _test_cells())
def test_visible_source_is_what_nbgrader_releases(source: str) -> None:
    assert visible_source(source) == nbgrader_visible(source)


def test_hidden_lines_include_the_markers() -> None:
    assert hidden_lines(SOURCES[0]) == {2, 3, 4}
    assert hidden_lines(SOURCES[3]) == {2, 3, 4, 6, 7, 8}


def test_an_unterminated_region_hides_the_rest_of_the_cell() -> None:
    source = "a = 1\n### BEGIN HIDDEN TESTS\nsecret = 42\nmore = 1\n"
    assert visible_source(source) == "a = 1"
    with pytest.raises(RuntimeError):  # nbgrader refuses to release it at all
        nbgrader_visible(source)
