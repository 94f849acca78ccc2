"""Ids: every objective, role, track and course has a kebab-case id declared once."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from academy.checks.rule import Context, Rule, check
from academy.core.findings import Finding, rel
from academy.core.yamlfile import Loc
from academy.curriculum.loading import Curriculum

ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

ID_FORMAT = Rule(
    "id-format",
    "Every objective, role, track and course id is kebab-case (a-z, 0-9, '-'); a track's id "
    "is its file name.",
)
ID_DUPLICATE = Rule("id-duplicate", "No objective, role, track or course id is declared twice.")


def at(cur: Curriculum, doc_key: str, loc: Loc, rule: Rule, message: str) -> Finding:
    """A finding at the line of `loc` in the curriculum file `doc_key` (e.g. 'roles.yml')."""
    doc = cur.docs[doc_key]
    return rule.at(rel(doc.path, cur.root), doc.line(loc), message)


def track_key(track_id: str) -> str:
    """The key of a track's file in Curriculum.docs."""
    return f"tracks/{track_id}.yml"


def declared_ids(cur: Curriculum) -> Iterator[tuple[str, str, Loc, str]]:
    """(kind, doc key, loc, id) for every declared id."""
    for kind, key in (("objective", "objectives.yml"), ("role", "roles.yml")):
        data = cur.docs[key].data if key in cur.docs else None
        items = data.get(f"{kind}s") if isinstance(data, dict) else None
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and "id" in item:
                yield kind, key, (f"{kind}s", i, "id"), str(item["id"])
    for track in cur.tracks:
        key = track_key(track.id)
        yield "track", key, ("id",), track.id
        for i, course in enumerate(track.courses):
            yield "course", key, ("courses", i, "id"), course.id


@check(ID_FORMAT, ID_DUPLICATE)
def ids(ctx: Context) -> list[Finding]:
    cur = ctx.cur
    findings = []
    seen: Counter[tuple[str, str]] = Counter()
    for kind, key, loc, value in declared_ids(cur):
        if not ID_RE.match(value):
            findings.append(
                at(
                    cur,
                    key,
                    loc,
                    ID_FORMAT,
                    f"{kind} id '{value}' must be kebab-case (a-z, 0-9, '-')",
                )
            )
        seen[(kind, value)] += 1
        if seen[(kind, value)] == 2:
            findings.append(
                at(
                    cur,
                    key,
                    loc,
                    ID_DUPLICATE,
                    f"{kind} id '{value}' is declared more than once; rename one",
                )
            )
    for track in cur.tracks:
        stem = cur.docs[track_key(track.id)].path.stem
        if track.id != stem:
            findings.append(
                at(
                    cur,
                    track_key(track.id),
                    ("id",),
                    ID_FORMAT,
                    f"track id '{track.id}' must match its file name '{stem}'; rename one",
                )
            )
    return findings
