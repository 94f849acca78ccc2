"""Lesson pages made fast: Voilà's page rendered once per lesson, the lesson run per learner.

Rendering Voilà's page template (nbconvert, Jinja, the page config) costs about a second
of the server's one CPU core, so a class of 30 opening a lesson together would queue for
half a minute. The page is the same for every learner except the kernel id and the
lesson's output, so it is rendered once per lesson (again when the lesson is rebuilt)
with a marker in each place, and each request only runs the lesson's cell in a warm
kernel (milliseconds) and puts its id and output into the page.

The lesson's output is shown with an empty text fallback: if the widgets cannot connect
the page never shows the widget's raw text (`VBox(children=...`); the page script
reloads it into a fresh kernel with a plain message instead.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2.utils import htmlsafe_json_dumps

from academy.core.brand import brand_css

KERNEL_MARK = "academy-kernel-id-to-fill"
OUTPUT_MARK = "academy-output-to-fill"
OUTPUT_SCRIPT = re.compile(
    r'<script type="application/vnd\.voila\.cell-output\+json">[^<]*'
    + re.escape(OUTPUT_MARK)
    + r"[^<]*</script>"
)
#: The output kinds a lesson page may show (never a traceback or printed text).
SHOWN = ("display_data", "execute_result")


class LessonFailed(Exception):
    """The lesson's cell did not run in its kernel."""


@dataclass(frozen=True)
class PageTemplate:
    """One lesson's page with markers where the kernel id and the lesson's output go."""

    html: str
    code: str
    mtime: float

    def fill(self, kernel_id: str, outputs: list[dict[str, Any]]) -> str:
        scripts = "".join(
            '<script type="application/vnd.voila.cell-output+json">'
            f"{htmlsafe_json_dumps({**output, 'trusted': True})}</script>"
            for output in outputs
        )
        page = OUTPUT_SCRIPT.sub(lambda _: scripts, self.html, count=1)
        return page.replace(KERNEL_MARK, kernel_id)


def _marked_output() -> dict[str, Any]:
    return {"output_type": "display_data", "data": {"text/plain": OUTPUT_MARK}, "metadata": {}}


async def render_template(renderer: Any) -> str:
    """Voilà's page for an initialized NotebookRenderer, with markers instead of a kernel."""

    async def kernel_start(nb: Any) -> str:
        return KERNEL_MARK

    async def cell_generator(nb: Any, kernel_id: str) -> Any:
        for cell in nb.cells:
            out = cell.copy()
            if out.cell_type == "code":
                out.outputs = [_marked_output()]
            yield out

    async def notebook_execute(nb: Any, kernel_id: str) -> None:
        return None

    context = {
        "frontend": "voila",
        "main_js": "voila.js",
        "kernel_start": kernel_start,
        "cell_generator": cell_generator,
        "notebook_execute": notebook_execute,
        "progressive_rendering": False,
    }
    parts = []
    async for snippet, _ in renderer.exporter.generate_from_notebook_node(
        renderer.notebook,
        resources=renderer.resources,
        extra_context=context,
        page_config=renderer.page_config,
    ):
        parts.append(snippet)
    html = "".join(parts)
    if KERNEL_MARK not in html or not OUTPUT_SCRIPT.search(html):
        raise RuntimeError("the lesson template has no place for the kernel or the output")
    return html


BODY_TAG = re.compile(r"<body\b[^>]*>")


def branded(html: str, notebook: Any) -> str:
    """The page in the academy's look: its colours and type in <head>, and the bar the
    build wrote into the lesson notebook's metadata at the top of <body>, shown at once
    (before the lesson's widgets load)."""
    bar = (notebook.metadata.get("academy") or {}).get("topbar", "")
    html = html.replace("</head>", f"<style>{brand_css()}</style></head>", 1)
    return BODY_TAG.sub(lambda tag: tag.group(0) + bar, html, count=1)


class PageCache:
    """Rendered page templates by notebook path, re-rendered when the notebook changes."""

    def __init__(self, lessons_dir: Path, make_renderer: Any) -> None:
        self.lessons_dir = lessons_dir
        self.make_renderer = make_renderer
        self._pages: dict[str, PageTemplate] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def get(self, path: str) -> PageTemplate:
        mtime = (self.lessons_dir / path).stat().st_mtime
        page = self._pages.get(path)
        if page is not None and page.mtime == mtime:
            return page
        async with self._locks.setdefault(path, asyncio.Lock()):
            page = self._pages.get(path)
            if page is None or page.mtime != mtime:
                renderer = self.make_renderer(path)
                await renderer.initialize()
                code = "\n".join(c.source for c in renderer.notebook.cells if c.cell_type == "code")
                html = branded(await render_template(renderer), renderer.notebook)
                page = PageTemplate(html, code, mtime)
                self._pages[path] = page
        return page


async def run_lesson(kernel: Any, code: str, timeout: float = 60) -> list[dict[str, Any]]:
    """Run the lesson's code in its kernel; the outputs it displays (nothing printed)."""
    client = kernel.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=timeout)
        msg_id = client.execute(code, store_history=False, allow_stdin=False)
        deadline = time.monotonic() + timeout
        outputs: list[dict[str, Any]] = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise LessonFailed(f"the lesson did not finish in {timeout:.0f} s")
            try:
                msg = await client.get_iopub_msg(timeout=left)
            except Exception as exc:  # queue.Empty on timeout
                raise LessonFailed(f"the lesson did not finish in {timeout:.0f} s") from exc
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind in SHOWN:
                outputs.append(
                    {
                        "output_type": "display_data",
                        "data": content["data"],
                        "metadata": content.get("metadata", {}),
                    }
                )
            elif kind == "error":
                raise LessonFailed(f"{content.get('ename')}: {content.get('evalue')}")
            elif kind == "status" and content.get("execution_state") == "idle":
                return outputs
    finally:
        client.stop_channels()
