"""Images: every picture in a lesson, a book's front page or a portal page has a text
alternative, so screen-reader users get what it shows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from academy.checks.rule import Context, Rule, check
from academy.core.findings import Finding, rel
from academy.curriculum.loading import resolve_doc

ALT_TEXT = Rule(
    "alt-text",
    "Every image in a lesson, a course's front page and the portal's own pages has alt text "
    '(Markdown `![what it shows](...)`, `<img alt="...">`, or an `:alt:` option).',
)

MD_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\([^)]*\)")
HTML_IMG = re.compile(r"<img\b(?P<attrs>[^>]*)>", re.IGNORECASE)
DIRECTIVE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?:image|figure)\}")


def image_problems(text: str) -> Iterator[tuple[int, str]]:
    """(line, message) for every image in Markdown text that has no text alternative."""
    lines = text.splitlines()
    for n, line in enumerate(lines, start=1):
        for match in MD_IMAGE.finditer(line):
            if not match.group("alt").strip():
                yield n, "image has no alt text; write what it shows inside ![...]"
        for match in HTML_IMG.finditer(line):
            if not re.search(r"\balt\s*=\s*\"[^\"]+\"", match.group("attrs")):
                yield n, '<img> has no alt text; add alt="what it shows"'
        fence = DIRECTIVE.match(line.strip())
        if fence:
            block = []
            for following in lines[n:]:
                if following.strip().startswith(fence.group("fence")):
                    break
                block.append(following)
            if not any(b.strip().startswith(":alt:") for b in block):
                yield n, "image/figure directive has no :alt: option; add one"


def _findings(path: Path, text: str, root: Path) -> list[Finding]:
    return [ALT_TEXT.at(rel(path, root), line, msg) for line, msg in image_problems(text)]


@check(ALT_TEXT)
def alt_text(ctx: Context) -> list[Finding]:
    cur = ctx.cur
    findings = []
    for book in cur.books:
        front_page = resolve_doc(book.dir, book.root_doc) if book.root_doc else None
        if front_page is not None and front_page.suffix == ".md":
            findings += _findings(front_page, front_page.read_text(encoding="utf-8"), cur.root)
        for lesson in [*book.lessons, *book.unlisted]:
            findings += _findings(lesson.path, lesson.text, cur.root)
    for page in sorted((cur.root / "site").rglob("*.md")):
        findings += _findings(page, page.read_text(encoding="utf-8"), cur.root)
    return findings
