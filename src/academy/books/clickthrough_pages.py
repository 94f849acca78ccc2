"""Sphinx extension: each click-through lesson as a static, printable page of its course book.

Listed in tracks/_book_defaults.yml (`sphinx.extra_extensions`), it registers a source
parser for `clickthrough/<lesson>.yml` toc entries. The page is made from the same
resolved lesson the Voilà app shows (same rows, same charts as inline SVG), with empty
boxes to fill in on paper, a link to the click-through version, and the answers at the
end for the trainer. Objectives and key points come from academy.books.lesson_frame, as on
every lesson page (it reads them from the lesson file like any lesson's front matter).
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers import Parser
from sphinx.application import Sphinx
from sphinx.util import logging

from academy.books.search_entries import NOT_SEARCHED
from academy.clickthrough.format import is_question
from academy.clickthrough.kinds import kind_of
from academy.clickthrough.markup import media_html

log = logging.getLogger(__name__)
SUFFIX = ".yml"
FILETYPE = "clickthrough"
_cache: dict[str, Any] = {}


def _curriculum(root: Path) -> Any:
    key = str(root)
    if key not in _cache:
        from academy.curriculum.loading import load_curriculum

        _cache[key] = load_curriculum(root)[0]
    return _cache[key]


def resolved_for(source: Path, city: str) -> tuple[dict[str, Any], str]:
    """(resolved lesson for `city`, live lesson URL from the page) for a lesson file;
    raises AcademyError."""
    from academy.clickthrough.build import data_loader, lesson_url, resolve_file
    from academy.clickthrough.lesson_files import lesson_files
    from academy.core.errors import AcademyError
    from academy.core.paths import find_root

    root = find_root(source.parent)
    cur = _curriculum(root)
    city = city or cur.city  # a book built by hand with jupyter-book: academy.yml's city
    files_key = f"files:{root}"
    if files_key not in _cache:  # read and checked once per build, not once per page
        _cache[files_key] = lesson_files(cur)
    item = next((i for i in _cache[files_key] if i.path.resolve() == source.resolve()), None)
    if item is None:
        raise AcademyError(f"{source}: not a click-through lesson of any course in curriculum/")
    loader_key = f"loader:{root}:{city}"
    if loader_key not in _cache:
        _cache[loader_key] = data_loader(root, city)
    resolved = resolve_file(item, cur, city, _cache[loader_key], depth=4)
    live = "../../../.." + lesson_url(item.book.course.id, item.name)
    return resolved, live


def _raw(html: str) -> nodes.raw:
    return nodes.raw("", html, format="html")


def _section(title: str, ident: str) -> nodes.section:
    section = nodes.section(ids=[nodes.make_id(ident)], names=[nodes.fully_normalize_name(ident)])
    section += nodes.title(text=title)
    return section


def step_html(step: dict[str, Any]) -> str:
    """The printable body of one resolved step (text, data, and what to fill in)."""
    parts = [step.get("html", ""), media_html(step.get("media", []))]
    if is_question(step):
        parts.append(f'<p class="academy-question"><strong>{escape(step["question"])}</strong></p>')
    parts.append(kind_of(step).printable(step))
    return f'<div class="academy-print-step">{"".join(parts)}</div>'


def answers_html(steps: list[dict[str, Any]]) -> str:
    """The trainer's answer key: each question's right answer and why."""
    items = []
    for n, step in enumerate(steps, start=1):
        if not is_question(step):
            continue
        kind = kind_of(step)
        why = kind.explanation(step)
        items.append(
            f"<li><strong>Step {n}, {escape(step['title'])}:</strong> {escape(kind.answer_text(step))}."
            f"{' ' + escape(why) if why else ''}</li>"
        )
    return f'<ul class="academy-print-answers">{"".join(items)}</ul>'


ANSWER_KEYS = "answer-keys"
"""Folder under build/ where `academy build` writes the answer keys of graded checks."""
GRADED_NOTE = (
    "<p>This lesson is the course's graded check, so its answers are not printed here, where "
    "learners can read them. Trainers find the answer key in the academy's build folder, "
    "outside the website: <code>build/{key}</code>.</p>"
)


def answer_key_path(lesson_id: str) -> str:
    """Where a graded check's answer key goes, relative to build/ ('<course>/<lesson>' id)."""
    return f"{ANSWER_KEYS}/{lesson_id}.html"


def answer_key_page(lesson: dict[str, Any]) -> str:
    """A graded check's answer key as one offline HTML page, for the trainer only."""
    title = escape(lesson["title"])
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Answer key: {title}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;"
        "padding:0 1rem;line-height:1.5}</style></head><body><main>"
        f"<h1>Answer key: {title}</h1>"
        f"<p>{escape(lesson['course_title'])}, built for {escape(lesson['city'])}'s data. "
        "Keep this page away from learners: it is the course's graded check.</p>"
        f"{answers_html(lesson['steps'])}</main></body></html>\n"
    )


class ClickthroughParser(Parser):
    """Parses clickthrough/<lesson>.yml into the printable lesson page."""

    supported = (FILETYPE,)

    def parse(self, inputstring: str, document: nodes.document) -> None:
        env = document.settings.env
        source = Path(env.doc2path(env.docname))
        try:
            lesson, live = resolved_for(source, env.config.academy_city)
        except Exception as exc:  # reported as a Sphinx warning, which fails the build
            log.warning(f"click-through lesson cannot be built: {exc}", location=env.docname)
            section = _section(source.stem, source.stem)
            document += section
            return
        page = _section(lesson["title"], lesson["id"].split("/")[-1])
        intro = (
            f'<p class="academy-print-intro">{escape(lesson["summary"])}</p>'
            f'<p class="academy-print-live"><a href="{escape(live, quote=True)}">Do this lesson as a click-through '
            "lesson</a> (it checks your answers as you go). This page is the printable version.</p>"
        )
        if lesson.get("data_note"):
            intro += f'<p class="academy-data-note">{escape(lesson["data_note"])}</p>'
        if lesson.get("unavailable"):
            page += _raw(f'<p class="academy-unavailable">{escape(lesson["unavailable"])}</p>')
            document += page
            return
        page += _raw(intro)
        for n, step in enumerate(lesson["steps"], start=1):
            sub = _section(f"Step {n}: {step['title']}", f"step-{n}")
            sub += _raw(step_html(step))
            page += sub
        answers = _section("Answers for the trainer", "answers-for-the-trainer")
        answers["classes"] += ["academy-print-answers-section", NOT_SEARCHED]
        answers += _raw(
            GRADED_NOTE.format(key=answer_key_path(lesson["id"]))
            if lesson.get("graded")
            else answers_html(lesson["steps"])
        )
        page += answers
        document += page


def answers_last(app: Sphinx, doctree: nodes.document) -> None:
    """Keep the trainer's answers after the key points the book extension appends."""
    for section in doctree.findall(nodes.section):
        if "academy-print-answers-section" in section["classes"] and section.parent is not None:
            parent = section.parent
            parent.remove(section)
            parent.append(section)
            return


CSS = """
.academy-table { border-collapse: collapse; margin: .5rem 0; }
.academy-table th, .academy-table td { border: 1px solid #c4cad3; padding: .3rem .5rem; text-align: left; }
.academy-table thead th { background: #e8eef7; }
.academy-table tr.academy-marked td { background: #fff1bf; font-weight: 600; }
.academy-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
.academy-chart svg { max-width: 100%; height: auto; }
.academy-print-choices { list-style: none; padding-left: .5rem; }
.academy-data-note { background: #fff6d6; border-left: 5px solid #8a6d00; padding: .5rem .8rem; }
@media print { .academy-print-live { display: none; } .academy-print-answers-section { break-before: page; } }
"""


def add_css(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    if doctree is not None and any(
        "academy-print-answers-section" in s["classes"] for s in doctree.findall(nodes.section)
    ):
        context["body"] = f"<style>{CSS}</style>" + context.get("body", "")


def setup(app: Sphinx) -> dict[str, Any]:
    # The city whose data the lessons show; `academy build` sets it for every book.
    app.add_config_value("academy_city", "", "env", types=[str])
    app.add_source_suffix(SUFFIX, FILETYPE)
    app.add_source_parser(ClickthroughParser)
    app.connect("doctree-read", answers_last, priority=600)
    app.connect("html-page-context", add_css)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
