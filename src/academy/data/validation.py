"""Check the dataset specs: every datapackage.json, its adapter and canonical.yml.

Each problem is a Finding `path:line: rule-id: message`. The rules, with what each
requires, are registered in `academy.checks.datasets` (and listed on the file-format
reference page); this module holds their logic.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

from academy.core.errors import AcademyError, FileError
from academy.core.findings import Finding, rel
from academy.core.paths import find_root
from academy.data.catalogue import (
    CANONICAL_FILE,
    SpecError,
    SpecProblem,
    datasets_dir,
    load_canonical,
    package_paths,
    parse_package,
)
from academy.data.fetch import file_key
from academy.data.jsonlines import Loc, json_lines, line_of
from academy.data.memo import remember
from academy.data.spec import CanonicalFile, DatasetInfo

DATA_SUFFIXES = {".csv", ".xlsx", ".xls", ".geojson", ".parquet", ".zip", ".json.gz", ".feather"}
ADAPTER: Loc = ("resources", 0, "academy", "adapter")


class _Out:
    """Collects findings for one datapackage.json."""

    def __init__(self, path: str, lines: dict[Loc, int]) -> None:
        self.path = path
        self.lines = lines
        self.findings: list[Finding] = []

    def add(self, loc: Loc, rule: str, message: str, severity: str = "error") -> None:
        self.findings.append(
            Finding(self.path, line_of(self.lines, loc), rule, message, severity)  # type: ignore[arg-type]
        )


def _frictionless_findings(descriptor: dict, out: _Out) -> None:
    from frictionless import Package

    report = Package.validate_descriptor(descriptor)
    for error in report.flatten(["type", "message"]):
        out.add((), "datapackage-schema", f"Frictionless: {error[1]}")


def _check_adapter(info: DatasetInfo, canonical: CanonicalFile, out: _Out) -> None:
    adapter = info.adapter
    assert adapter is not None
    definition = canonical.tables.get(adapter.table)
    if definition is None:
        out.add(
            (*ADAPTER, "table"),
            "adapter-unknown-table",
            f"table {adapter.table!r} is not defined in datasets/{CANONICAL_FILE} "
            f"(defined: {', '.join(sorted(canonical.tables))})",
        )
        return
    schema_columns = {f.name for f in info.fields}
    missing = [f.name for f in definition.fields if f.required and f.name not in adapter.columns]
    if missing:
        out.add(
            (*ADAPTER, "columns"),
            "adapter-missing-field",
            f"{adapter.table} needs {', '.join(missing)}: map each to a column of {info.file}",
        )
    for name, source in adapter.columns.items():
        loc = (*ADAPTER, "columns", name)
        field = definition.field(name)
        if field is None:
            out.add(
                loc,
                "adapter-unknown-field",
                f"{name!r} is not a column of {adapter.table} "
                f"(columns: {', '.join(f.name for f in definition.fields)})",
            )
            continue
        from academy.data.adapters import source_columns

        for column in source_columns(source):
            if column not in schema_columns:
                out.add(
                    loc,
                    "adapter-unknown-column",
                    f"{name!r} reads column {column!r}, which {info.file} does not have "
                    f"(its Table Schema lists {', '.join(sorted(schema_columns))})",
                )
        pattern = getattr(source, "pattern", None)
        if pattern:
            try:
                compiled = re.compile(pattern)
            except re.error as exc:
                out.add(loc, "adapter-pattern", f"{name!r}: pattern does not compile: {exc}")
            else:
                if compiled.groups != 1:
                    out.add(loc, "adapter-pattern", f"{name!r}: pattern needs exactly one group")
        if field.type == "datetime" and name not in adapter.dates:
            out.add(
                loc,
                "adapter-date-format",
                f'{name!r} is a datetime: add its format under "dates" (e.g. "%m/%d/%Y")',
            )
        if field.values is not None:
            vocabulary = adapter.vocabularies.get(name)
            if vocabulary is None:
                out.add(
                    loc,
                    "adapter-vocabulary",
                    f"{name!r} allows only {', '.join(field.values)}: add a vocabulary mapping "
                    "each raw value to one of them",
                )
            else:
                wrong = sorted({v for v in vocabulary.values() if v not in field.values})
                if wrong:
                    out.add(
                        (*ADAPTER, "vocabularies", name),
                        "adapter-vocabulary",
                        f"{name!r} maps to {', '.join(map(repr, wrong))}; allowed: "
                        f"{', '.join(field.values)}",
                    )
    for name in adapter.dates:
        field = definition.field(name)
        if field is None or field.type != "datetime":
            out.add(
                (*ADAPTER, "dates", name),
                "adapter-date-format",
                f"{name!r} is not a datetime column of {adapter.table}; remove its date format",
            )
    for index, rule in enumerate(adapter.placeholders):
        for name in [*rule.when, *rule.blank]:
            if name not in adapter.columns:
                out.add(
                    (*ADAPTER, "placeholders", index),
                    "adapter-placeholder",
                    f"placeholder rule names {name!r}, which the adapter does not map",
                )


def _check_quality_columns(info: DatasetInfo, out: _Out) -> None:
    schema_columns = {f.name for f in info.fields}
    for index, problem in enumerate(info.meta.quality):
        check = problem.check
        if check is None:
            continue
        named = [check.column] if check.column else []
        named += list(check.columns or []) + list((check.values or {}).keys())
        for column in named:
            if column not in schema_columns:
                out.add(
                    ("academy", "quality", index, "check"),
                    "quality-check-column",
                    f"quality check {problem.id!r} names column {column!r}, which the Table "
                    "Schema does not list",
                )


def _check_file(info: DatasetInfo, canonical: CanonicalFile | None, out: _Out) -> None:
    """Checks that need the data file; skipped when it is not available locally."""
    from academy.data.fetch import check_file
    from academy.data.reading import read_header

    state = check_file(info)
    if state.status != "ok" or state.path is None:
        return
    try:
        header = read_header(info, state.path)
    except AcademyError as exc:
        out.add(("resources", 0, "path"), "schema-header-mismatch", str(exc))
        return
    declared = [f.name for f in info.fields]
    if header != declared:
        extra = [c for c in header if c not in declared]
        absent = [c for c in declared if c not in header]
        parts = [
            f"in the file but not the schema: {', '.join(map(repr, extra))}" if extra else "",
            f"in the schema but not the file: {', '.join(map(repr, absent))}" if absent else "",
            "" if extra or absent else "same columns in another order",
        ]
        out.add(
            ("resources", 0, "schema", "fields"),
            "schema-header-mismatch",
            f"{info.file} columns differ from the Table Schema "
            f"({'; '.join(p for p in parts if p)}); list every column in file order",
        )
    if info.adapter is not None and canonical is not None:
        _check_adapter_on_file(info, state.path, header, canonical, out)


def _check_adapter_on_file(
    info: DatasetInfo, path: Path, header: list[str], canonical: CanonicalFile, out: _Out
) -> None:
    from academy.data.adapters import AdapterError, apply_adapter, source_columns
    from academy.data.canonical import cache_path
    from academy.data.reading import read_text

    adapter = info.adapter
    assert adapter is not None
    declared = {f.name for f in info.fields}
    for name, source in adapter.columns.items():
        for column in source_columns(source):
            if column in declared and column not in header:
                out.add(
                    (*ADAPTER, "columns", name),
                    "adapter-unknown-column",
                    f"{name!r} reads column {column!r}, which the header of {path} lacks",
                )
    definition = canonical.tables.get(adapter.table)
    if definition is None or any(f.rule.startswith("adapter-") for f in out.findings):
        return
    if cache_path(info, definition).is_file():
        return  # this adapter already built this exact file
    text = read_text(info, path)
    for name, vocabulary in adapter.vocabularies.items():
        source = adapter.columns.get(name)
        if isinstance(source, str) and source in text.columns:
            unmapped = sorted(set(text[source].dropna().str.strip()) - set(vocabulary))
            if unmapped:
                out.add(
                    (*ADAPTER, "vocabularies", name),
                    "adapter-vocabulary",
                    f"{info.file} has {source} value(s) {', '.join(map(repr, unmapped[:8]))} "
                    "that the vocabulary does not map; add them",
                )
                return
    try:
        apply_adapter(text, adapter, definition)
    except AdapterError as exc:
        out.add(ADAPTER, "adapter-does-not-fit", f"{info.file}: {exc}")


def check_package(
    path: Path, root: Path, canonical: CanonicalFile | None
) -> tuple[list[Finding], DatasetInfo | None]:
    """Findings for one datapackage.json, and its DatasetInfo when it parses.

    The findings are remembered in the cache (see `academy.data.memo`), keyed by all they
    depend on: the file's text, canonical.yml, and the verdict on and version of the data file.
    """
    shown = rel(path, root)
    text = path.read_text(encoding="utf-8")
    info: DatasetInfo | None
    problems: list[SpecProblem] = []
    try:
        info = parse_package(text, path, root)
    except SpecError as exc:
        info, problems = None, exc.problems
    key = {
        "package": shown,
        "text": text,
        "canonical": canonical.model_dump(mode="json") if canonical is not None else None,
        "file": file_key(info) if info is not None else None,
    }
    found = remember(
        "package-findings",
        key,
        lambda: [f.as_dict() for f in _package_findings(shown, text, info, problems, canonical)],
    )
    return [Finding(**f) for f in found], info


def _package_findings(
    shown: str,
    text: str,
    info: DatasetInfo | None,
    problems: list[SpecProblem],
    canonical: CanonicalFile | None,
) -> list[Finding]:
    try:
        descriptor = json.loads(text)
    except json.JSONDecodeError as exc:
        return [Finding(shown, exc.lineno, "datapackage-json", f"invalid JSON: {exc.msg}")]
    out = _Out(shown, json_lines(text))
    if isinstance(descriptor, dict):
        _frictionless_findings(descriptor, out)
    for problem in problems:
        out.findings.append(Finding(shown, problem.line, "datapackage-schema", problem.message))
    if info is None:
        return out.findings
    _check_quality_columns(info, out)
    if info.adapter is not None and canonical is not None:
        _check_adapter(info, canonical, out)
    _check_file(info, canonical, out)
    return out.findings


def _committed_data(root: Path) -> list[Finding]:
    base = datasets_dir(root)
    return [
        Finding(
            rel(path, root),
            1,
            "dataset-file-committed",
            "data files never go into the repository; delete it (datapackage.json pins it, "
            "`academy data pull` fetches it)",
        )
        for path in sorted(base.rglob("*"))
        if path.is_file() and any(path.name.lower().endswith(s) for s in DATA_SUFFIXES)
    ]


def _primary_clashes(infos: list[DatasetInfo], root: Path) -> list[Finding]:
    by_key: dict[tuple[str, str], list[DatasetInfo]] = defaultdict(list)
    for info in infos:
        if info.adapter is not None and info.adapter.primary:
            by_key[(info.city, info.adapter.table)].append(info)
    findings = []
    for (city, table), group in sorted(by_key.items()):
        if len(group) > 1:
            for info in group:
                path = root / info.package_path
                lines = json_lines(path.read_text(encoding="utf-8"))
                findings.append(
                    Finding(
                        info.package_path,
                        line_of(lines, (*ADAPTER, "primary")),
                        "adapter-primary",
                        f"{len(group)} primary adapters for {city} {table} "
                        f'({", ".join(i.id for i in group)}); set "primary": false on all but one',
                    )
                )
    return findings


def validate_datasets(root: Path | None = None) -> list[Finding]:
    """Every problem in datasets/: package schemas, adapters, cards and stray data files."""
    root = root or find_root()
    findings: list[Finding] = []
    canonical: CanonicalFile | None = None
    try:
        canonical = load_canonical(root)
    except FileError as exc:
        findings.append(exc.finding(root))
    infos: list[DatasetInfo] = []
    for path in package_paths(root):
        found, info = check_package(path, root, canonical)
        findings += found
        if info is not None:
            infos.append(info)
    findings += _primary_clashes(infos, root)
    findings += _committed_data(root)
    from academy.data.cards import stale_cards

    findings += stale_cards(root, infos)
    return sorted(findings)
