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
    PACKAGE_FILE,
    SpecError,
    SpecProblem,
    datasets_dir,
    get_dataset,
    load_canonical,
    package_paths,
    parse_draft,
)
from academy.data.fetch import file_key
from academy.data.jsonlines import Loc, json_lines, line_of
from academy.data.memo import remember
from academy.data.spec import Adapter, CanonicalFile, CanonicalTable, DatasetInfo

DATA_SUFFIXES = {".csv", ".xlsx", ".xls", ".geojson", ".parquet", ".zip", ".json.gz", ".feather"}
ADAPTER: Loc = ("resources", 0, "academy", "adapter")


class _Out:
    """Collects findings for one datapackage.json."""

    def __init__(self, path: str, lines: dict[Loc, int], root: Path) -> None:
        self.path = path
        self.lines = lines
        self.root = root
        self.findings: list[Finding] = []

    def add(self, loc: Loc, rule: str, message: str, severity: str = "error") -> None:
        self.findings.append(
            Finding(self.path, line_of(self.lines, loc), rule, message, severity)  # type: ignore[arg-type]
        )


FIELD_PROBLEM = re.compile(r"'(?P<value>[^']*)' .* at property '(?P<key>\w+)'")


def _frictionless_findings(descriptor: dict, out: _Out) -> None:
    from frictionless import Package

    report = Package.validate_descriptor(descriptor)
    for kind, message in report.flatten(["type", "message"]):
        loc, prefix = _field_of(descriptor, kind, message)
        out.add(loc, "datapackage-schema", f"Frictionless: {prefix}{message}")


def _field_of(descriptor: dict, kind: str, message: str) -> tuple[Loc, str]:
    """Where a Frictionless field error is: the schema field holding the value it quotes
    (Frictionless names the value and the property, not the field)."""
    match = FIELD_PROBLEM.search(message)
    if kind != "field-error" or match is None:
        return (), ""
    resources = descriptor.get("resources") or [{}]
    fields = ((resources[0] or {}).get("schema") or {}).get("fields") or []
    for index, field in enumerate(fields):
        if isinstance(field, dict) and str(field.get(match["key"])) == match["value"]:
            hint = (
                "a date pattern belongs on a field of type datetime; "
                if match["key"] == "format" and "%" in match["value"]
                else ""
            )
            return (
                ("resources", 0, "schema", "fields", index, match["key"]),
                f"field {field.get('name')!r}: {hint}",
            )
    return (), ""


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
    from academy.data.adapters import accounted_problems, source_columns

    for name, what in accounted_problems(adapter, definition):
        where = "not_published" if name in adapter.not_published else "columns"
        loc = (*ADAPTER, where, name) if name in getattr(adapter, where) else (*ADAPTER, where)
        out.add(loc, "adapter-missing-field", f"{adapter.table} column {name!r} {what}")
    for name in adapter.not_published:
        if definition.field(name) is None:
            out.add(
                (*ADAPTER, "not_published", name),
                "adapter-unknown-field",
                f"{name!r} is not a column of {adapter.table}; remove it from not_published",
            )
    _check_adapter_parts(info, adapter, definition, schema_columns, out)
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
        vocabulary = adapter.vocabularies.get(name)
        if field.type == "boolean" and vocabulary is not None:
            from academy.data.adapters import FALSE, TRUE

            wrong = sorted({v for v in vocabulary.values() if v.lower() not in TRUE | FALSE})
            if wrong:
                out.add(
                    (*ADAPTER, "vocabularies", name),
                    "adapter-vocabulary",
                    f'{name!r} is true or false: map each raw value to "true" or "false", '
                    f"not {', '.join(map(repr, wrong))}",
                )
        if field.values is not None:
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
    converted = {"latitude", "longitude"} if adapter.coordinates is not None else set()
    for index, rule in enumerate(adapter.placeholders):
        for name in [*rule.when, *rule.blank]:
            if name not in adapter.columns and name not in converted:
                out.add(
                    (*ADAPTER, "placeholders", index),
                    "adapter-placeholder",
                    f"placeholder rule names {name!r}, which the adapter does not map",
                )
        for name in rule.when_published:
            if name not in schema_columns:
                out.add(
                    (*ADAPTER, "placeholders", index, "when_published", name),
                    "adapter-placeholder",
                    f"placeholder rule reads column {name!r}, which {info.file} does not have",
                )


def _check_adapter_parts(
    info: DatasetInfo,
    adapter: Adapter,
    definition: CanonicalTable,
    schema_columns: set[str],
    out: _Out,
) -> None:
    """Coordinates, repeats and lookups: the columns they read and what they name."""
    if adapter.coordinates is not None:
        spec = adapter.coordinates
        for axis in ("x", "y"):
            column = getattr(spec, axis)
            if column not in schema_columns:
                out.add(
                    (*ADAPTER, "coordinates", axis),
                    "adapter-coordinates",
                    f"coordinates.{axis} reads column {column!r}, which {info.file} does not have",
                )
        from pyproj import CRS
        from pyproj.exceptions import CRSError

        try:
            crs = CRS.from_user_input(spec.crs)
        except CRSError:
            out.add(
                (*ADAPTER, "coordinates", "crs"),
                "adapter-coordinates",
                f"{spec.crs!r} is not a coordinate reference system pyproj knows; give an EPSG "
                "code such as 'EPSG:3435' (ask your GIS team which system the X/Y are in)",
            )
        else:
            if not (crs.is_projected or crs.is_geographic):
                out.add(
                    (*ADAPTER, "coordinates", "crs"),
                    "adapter-coordinates",
                    f"{spec.crs!r} ({crs.name}) is not a map projection or a latitude/longitude "
                    "system; name the CRS of the X/Y columns",
                )
    if adapter.repeats is not None:
        rule = adapter.repeats
        for column in [*rule.key, *([rule.order_by] if rule.order_by else [])]:
            if column not in schema_columns:
                out.add(
                    (*ADAPTER, "repeats"),
                    "adapter-repeats",
                    f"repeats reads column {column!r}, which {info.file} does not have",
                )
    for name, lookup in adapter.lookups.items():
        loc = (*ADAPTER, "lookups", name)
        if definition.field(name) is None or name not in adapter.columns:
            out.add(loc, "adapter-lookup", f"lookup for {name!r}, which the adapter does not map")
        if lookup.dataset is None:
            continue
        try:
            other = get_dataset(lookup.dataset, out.root)
        except AcademyError as exc:
            out.add(loc, "adapter-lookup", str(exc))
            continue
        columns = {f.name for f in other.fields}
        for column in (lookup.key, lookup.value):
            if column not in columns:
                out.add(
                    loc,
                    "adapter-lookup",
                    f"lookup reads column {column!r} of {lookup.dataset}, whose Table Schema "
                    f"lists {', '.join(sorted(columns))}",
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
    if state.status == "mismatch":
        out.add(("resources", 0, "hash"), "dataset-pin-mismatch", state.message)
        return
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
    from academy.data.adapters import AdapterError, apply_adapter, published_columns
    from academy.data.canonical import load_lookups
    from academy.data.reading import read_text, row_locator

    adapter = info.adapter
    assert adapter is not None
    declared = {f.name for f in info.fields}
    for column in published_columns(adapter):
        if column in declared and column not in header:
            out.add(
                ADAPTER,
                "adapter-unknown-column",
                f"the adapter reads column {column!r}, which the header of {path} lacks",
            )
    definition = canonical.tables.get(adapter.table)
    if definition is None or any(f.rule.startswith("adapter-") for f in out.findings):
        return
    text = read_text(info, path)
    where = row_locator(info, path, len(text))
    try:
        lookups = load_lookups(info, out.root)
        frame = apply_adapter(text, adapter, definition, lookups, where, keep_index=True)
    except AdapterError as exc:
        out.add((*ADAPTER, *exc.loc), exc.rule, f"{info.file}: {exc}")
        return
    except AcademyError as exc:  # a lookup's file is missing or altered
        out.add((*ADAPTER, "lookups"), "adapter-lookup", str(exc))
        return
    if "latitude" in frame.columns and frame["latitude"].notna().any():
        _check_extent(info, frame, where, out)


def _check_extent(info: DatasetInfo, frame, where, out: _Out) -> None:
    from academy.data.city import city_facts
    from academy.data.extent import FAR_KM, check_extent

    try:
        facts = city_facts(info.city, out.root)
    except AcademyError:
        return  # the city.yml findings say what to fix
    if facts.bounds is None:
        out.add(
            (*ADAPTER, "columns"),
            "city-facts-bounds",
            f"datasets/{info.city}/city.yml gives no bounds, so the points of {info.file} "
            "cannot be checked against the city's extent; add the city limits as bounds "
            "(`academy data init` proposes them from a file with map points)",
            "warning",
        )
        return
    result = check_extent(frame, facts.bounds)
    if not result.far or result.first is None:
        return
    adapter = info.adapter
    assert adapter is not None
    loc = (*ADAPTER, "coordinates") if adapter.coordinates else (*ADAPTER, "columns", "latitude")
    first = (
        f"{where(result.first)} ({frame.loc[result.first, 'latitude']:.5f}, "
        f"{frame.loc[result.first, 'longitude']:.5f})"
    )
    if result.mapping_is_wrong:
        out.add(
            loc,
            "adapter-coordinates-outside-city",
            f"{result.far:,} of {result.located:,} located rows ({result.share:.0%}) lie more "
            f"than {FAR_KM:.0f} km outside {facts.name}'s extent in "
            f"datasets/{info.city}/city.yml, the first at {first}: check that latitude and "
            "longitude are not swapped, that X/Y have the right CRS, and the city's bounds",
        )
    elif result.worth_a_warning:
        out.add(
            loc,
            "adapter-points-outside-city",
            f"{result.far:,} located row(s) lie more than {FAR_KM:.0f} km outside "
            f"{facts.name}'s extent, the first at {first}: if they are a default point the "
            "system writes, add a placeholder rule; if they are real places outside the city, "
            "leave them (the data-quality lessons use them)",
            "warning",
        )


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
        info, problems = parse_draft(text, path, root)
    except SpecError as exc:
        info, problems = None, exc.problems
    key = {
        "package": shown,
        "text": text,
        "canonical": canonical.model_dump(mode="json") if canonical is not None else None,
        "file": file_key(info) if info is not None else None,
        "depends": _dependencies(info, root) if info is not None else None,
    }
    found = remember(
        "package-findings",
        key,
        lambda: [
            f.as_dict() for f in _package_findings(shown, text, info, problems, canonical, root)
        ],
    )
    return [Finding(**f) for f in found], info


def _dependencies(info: DatasetInfo, root: Path) -> list[object]:
    """What else the findings read: the city's facts and the files its lookups read."""
    from academy.data.city import facts_path

    facts = facts_path(info.city, root)
    parts: list[object] = [facts.read_text(encoding="utf-8") if facts.is_file() else None]
    for lookup in info.adapter.lookups.values() if info.adapter else []:
        if lookup.dataset is None:
            continue
        package = datasets_dir(root) / lookup.dataset / PACKAGE_FILE
        parts.append(package.read_text(encoding="utf-8") if package.is_file() else None)
        try:
            parts.append(file_key(get_dataset(lookup.dataset, root)))
        except AcademyError:
            parts.append(None)
    return parts


def _package_findings(
    shown: str,
    text: str,
    info: DatasetInfo | None,
    problems: list[SpecProblem],
    canonical: CanonicalFile | None,
    root: Path,
) -> list[Finding]:
    try:
        descriptor = json.loads(text)
    except json.JSONDecodeError as exc:
        return [Finding(shown, exc.lineno, "datapackage-json", f"invalid JSON: {exc.msg}")]
    out = _Out(shown, json_lines(text), root)
    if isinstance(descriptor, dict):
        _frictionless_findings(descriptor, out)
    for problem in problems:
        out.findings.append(Finding(shown, problem.line, problem.rule, problem.message))
    if info is None:
        return out.findings
    _check_quality_columns(info, out)
    if info.adapter is not None and canonical is not None:
        _check_adapter(info, canonical, out)
    _check_file(info, canonical, out)
    return out.findings


def _city_facts_findings(root: Path) -> list[Finding]:
    """datasets/<city>/city.yml for every city that has datasets: present and well formed."""
    from academy.data.city import facts_path, read_facts

    findings = []
    cities = sorted({p.parent.parent.name for p in package_paths(root)})
    for city in cities:
        path = facts_path(city, root)
        try:
            _, problems = read_facts(path)
        except FileError as exc:  # YAML syntax: the error names its line
            findings.append(exc.finding(root))
            continue
        findings += [
            Finding(rel(path, root), line, rule, message) for line, rule, message in problems
        ]
    return findings


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
    findings += _city_facts_findings(root)
    findings += _committed_data(root)
    from academy.data.cards import stale_cards

    findings += stale_cards(root, infos)
    return sorted(findings)
