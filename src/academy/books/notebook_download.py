"""Sphinx extension for course books: every lesson that is a notebook can be downloaded as
one (.ipynb) from its page, with the outputs it was built with.

MyST-NB executes each notebook page into `_build/jupyter_execute/<page>.ipynb`. The book
theme offers an `.ipynb` in its download menu only when launch buttons (Binder, Colab ...)
are configured, which an offline academy never has; this extension copies the executed
notebook beside the page's other sources (`_sources/<page>.ipynb`, a static file in the
built site) and tells the theme it is there, so the menu offers it. A learner opens it in
`academy lab` (or any Jupyter) and runs it on the same city's data.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

# The theme builds its download menu at priority 501; the notebook must be in place before.
BEFORE_THE_THEME = 500


def executed_notebook(outdir: Path, pagename: str) -> Path:
    """Where MyST-NB wrote the executed notebook of a page."""
    return outdir.parent / "jupyter_execute" / f"{pagename}.ipynb"


def offer_notebook(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Copy the page's executed notebook to `_sources/` and add it to the download menu."""
    if doctree is None:
        return
    executed = executed_notebook(Path(app.outdir), pagename)
    if not executed.is_file():  # a page of text only, or a printable click-through page
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", offer_notebook, priority=BEFORE_THE_THEME)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
