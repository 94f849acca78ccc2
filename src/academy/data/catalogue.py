"""The dataset catalogue: every datasets/<city>/<dataset>/datapackage.json, typed."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from academy.core.errors import AcademyError, FileError
from academy.core.findings import rel
from academy.core.paths import find_root
from academy.core.schema import read_model
from academy.data.drafts import mark_message, strip_marks
from academy.data.jsonlines import Loc, json_lines, line_of
from academy.data.spec import (
    CanonicalFile,
    DatasetInfo,
    PackageMeta,
    ResourceMeta,
    SchemaField,
)

PACKAGE_FILE = "datapackage.json"
CANONICAL_FILE = "canonical.yml"
HASH_PREFIX = "sha256:"


@dataclass(frozen=True)
class SpecProblem:
    """One thing wrong in a spec file, with the line it is on."""

    line: int
    message: str
    rule: str = "datapackage-schema"


class SpecError(FileError):
    """A datapackage.json that cannot be read as the academy expects: every problem, with
    the first one's line and rule id (`datapackage-schema`, or `draft-unconfirmed` for a
    proposal of `academy data init` still marked to confirm)."""

    def __init__(self, path: Path, problems: list[SpecProblem]) -> None:
        first = problems[0] if problems else SpecProblem(1, "unreadable")
        more = (
            f" (and {len(problems) - 1} more; `academy validate` lists them all)"
            if len(problems) > 1
            else ""
        )
        super().__init__(path, first.line, first.rule, f"{first.message}{more}")
        self.problems = problems


def datasets_dir(root: Path) -> Path:
    """The folder holding one folder per city."""
    return root / "datasets"


def package_paths(root: Path) -> list[Path]:
    """Every datapackage.json under datasets/<city>/<dataset>/, sorted."""
    return sorted(datasets_dir(root).glob(f"*/*/{PACKAGE_FILE}"))


def dataset_id_of(package_path: Path) -> str:
    """'<city>/<dataset>' from datasets/<city>/<dataset>/datapackage.json."""
    return f"{package_path.parent.parent.name}/{package_path.parent.name}"


def _pydantic_problems(exc: ValidationError, base: Loc, lines: dict[Loc, int]) -> list[SpecProblem]:
    problems = []
    for error in exc.errors():
        loc = (*base, *error["loc"])
        where = ".".join(str(part) for part in loc)
        problems.append(SpecProblem(line_of(lines, loc), f"{where}: {error['msg']}"))
    return problems


def _require(cond: bool, problems: list[SpecProblem], line: int, message: str) -> bool:
    if not cond:
        problems.append(SpecProblem(line, message))
    return cond


def parse_package(text: str, package_path: Path, root: Path) -> DatasetInfo:
    """Read one datapackage.json's text into a DatasetInfo; SpecError lists what is wrong.

    A draft (a proposal still marked "to_confirm") is an error here: nothing reads it.
    """
    info, marks = parse_draft(text, package_path, root)
    if marks:
        raise SpecError(package_path, marks)
    return info


def parse_draft(text: str, package_path: Path, root: Path) -> tuple[DatasetInfo, list[SpecProblem]]:
    """Like `parse_package`, but a draft is read too: (its info, one problem per mark)."""
    try:
        descriptor: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError(
            package_path, [SpecProblem(exc.lineno, f"invalid JSON: {exc.msg}")]
        ) from exc
    lines = json_lines(text)
    descriptor, found = strip_marks(descriptor)
    marks = [
        SpecProblem(line_of(lines, loc), mark_message(loc, note), "draft-unconfirmed")
        for loc, note in found
    ]
    problems: list[SpecProblem] = []
    if not _require(isinstance(descriptor, dict), problems, 1, "top level must be an object"):
        raise SpecError(package_path, problems)
    resources = descriptor.get("resources")
    if not _require(
        isinstance(resources, list) and len(resources) == 1 and isinstance(resources[0], dict),
        problems,
        line_of(lines, ("resources",)),
        "resources: the academy expects exactly one resource (one file) per data package",
    ):
        raise SpecError(package_path, problems)
    resource = resources[0]
    res_loc: Loc = ("resources", 0)

    meta: PackageMeta | None = None
    resource_meta: ResourceMeta | None = None
    try:
        meta = PackageMeta.model_validate(descriptor.get("academy"))
    except ValidationError as exc:
        problems += _pydantic_problems(exc, ("academy",), lines)
    try:
        resource_meta = ResourceMeta.model_validate(resource.get("academy", {}))
    except ValidationError as exc:
        problems += _pydantic_problems(exc, (*res_loc, "academy"), lines)

    file = resource.get("path")
    _require(
        isinstance(file, str) and "/" not in file and file != "",
        problems,
        line_of(lines, (*res_loc, "path")),
        "resources[0].path: give the bare file name as published, e.g. 'x.csv'",
    )
    digest = resource.get("hash", "")
    _require(
        isinstance(digest, str)
        and digest.startswith(HASH_PREFIX)
        and len(digest) == len(HASH_PREFIX) + 64,
        problems,
        line_of(lines, (*res_loc, "hash")),
        "resources[0].hash: pin the file as 'sha256:<64 hex digits>'",
    )
    size = resource.get("bytes")
    _require(
        isinstance(size, int) and size >= 0,
        problems,
        line_of(lines, (*res_loc, "bytes")),
        "resources[0].bytes: give the file size in bytes",
    )
    sources = descriptor.get("sources") or []
    first_source = sources[0] if sources and isinstance(sources[0], dict) else {}
    url = first_source.get("path")
    _require(
        bool(first_source.get("title"))
        and (url is None or (isinstance(url, str) and url.startswith("https://"))),
        problems,
        line_of(lines, ("sources", 0) if "path" not in first_source else ("sources", 0, "path")),
        "sources[0]: the first source says where the pinned file comes from (its title) and, "
        "when it can be downloaded, gives its immutable https URL as its path",
    )
    schema = resource.get("schema") or {}
    fields: list[SchemaField] = []
    raw_fields = schema.get("fields", []) if isinstance(schema, dict) else []
    for index, raw_field in enumerate(raw_fields if isinstance(raw_fields, list) else []):
        try:
            fields.append(SchemaField.model_validate(raw_field))
        except ValidationError as exc:
            problems += _pydantic_problems(exc, (*res_loc, "schema", "fields", index), lines)
    _require(
        bool(fields),
        problems,
        line_of(lines, (*res_loc, "schema")),
        "resources[0].schema.fields: describe every column of the file",
    )
    dataset_id = dataset_id_of(package_path)
    if meta is not None:
        _require(
            meta.city == package_path.parent.parent.name,
            problems,
            line_of(lines, ("academy", "city")),
            f"academy.city: {meta.city!r} does not match the folder "
            f"{package_path.parent.parent.name!r}; make them the same",
        )
    if problems or meta is None or resource_meta is None:
        raise SpecError(package_path, [*marks, *problems])
    adapter = resource_meta.adapter
    return DatasetInfo(
        id=dataset_id,
        city=meta.city,
        title=str(descriptor.get("title") or dataset_id),
        description=str(descriptor.get("description") or ""),
        file=file,
        format=str(resource.get("format") or Path(file).suffix.lstrip(".")),
        encoding=str(resource.get("encoding") or "utf-8"),
        sha256=digest[len(HASH_PREFIX) :],
        bytes=size,
        url=url,
        table=adapter.table if adapter else None,
        missing_values=list(schema.get("missingValues", [""])),
        fields=fields,
        meta=meta,
        resource=resource_meta,
        package_path=rel(package_path, root),
    ), marks


# Parsed spec files, keyed by (what, path, size, mtime): lessons call table() often.
_parsed: dict[tuple[str, str, int, int], Any] = {}


def _memo_key(kind: str, path: Path) -> tuple[str, str, int, int]:
    stat = path.stat()
    return (kind, str(path.resolve()), stat.st_size, stat.st_mtime_ns)


def load_dataset(package_path: Path, root: Path) -> DatasetInfo:
    """Read one datapackage.json; a broken one is an AcademyError naming the line."""
    key = _memo_key(f"package:{root.resolve()}", package_path)
    if key not in _parsed:
        _parsed[key] = parse_package(package_path.read_text(encoding="utf-8"), package_path, root)
    return _parsed[key]


def list_datasets(root: Path | None = None, skip_invalid: bool = False) -> list[DatasetInfo]:
    """Every dataset the academy knows, sorted by id.

    A broken datapackage.json is an AcademyError, unless `skip_invalid` (for checks that
    run beside `validate_datasets`, which reports it as findings).
    """
    root = root or find_root()
    infos = []
    for path in package_paths(root):
        try:
            infos.append(load_dataset(path, root))
        except AcademyError:
            if not skip_invalid:
                raise
    return infos


def get_dataset(dataset_id: str, root: Path | None = None) -> DatasetInfo:
    """The dataset with this id; an unknown id is an AcademyError suggesting close ones."""
    root = root or find_root()
    path = datasets_dir(root) / dataset_id / PACKAGE_FILE
    if "/" in dataset_id and path.is_file():
        return load_dataset(path, root)
    known = [dataset_id_of(p) for p in package_paths(root)]
    close = difflib.get_close_matches(dataset_id, known, n=3)
    hint = f"did you mean {', '.join(close)}?" if close else "run `academy data list` to see them"
    raise AcademyError(
        f"{dataset_id}: no such dataset (no datasets/{dataset_id}/{PACKAGE_FILE}); {hint}"
    )


def load_canonical(root: Path | None = None) -> CanonicalFile:
    """The canonical table definitions in datasets/canonical.yml."""
    root = root or find_root()
    path = datasets_dir(root) / CANONICAL_FILE
    if not path.is_file():
        raise FileError(
            rel(path, root),
            1,
            "missing-file",
            "no canonical table definitions; create it (see site/bring-your-own-city.md)",
        )
    key = _memo_key("canonical", path)
    if key not in _parsed:
        _parsed[key] = read_model(
            CanonicalFile, path, rule="canonical-schema", fix="fix the table definition"
        )
    return _parsed[key]


def canonical_tables(
    root: Path | None = None, city: str | None = None, skip_invalid: bool = False
) -> set[str]:
    """Names of the canonical tables the city provides (the notebook's city when None)."""
    from academy.data.city import active_city

    root = root or find_root()
    city = city or active_city(root)
    return {
        d.adapter.table
        for d in list_datasets(root, skip_invalid)
        if d.city == city and d.adapter is not None and d.adapter.primary
    }


def primary_dataset(table: str, city: str, root: Path) -> DatasetInfo:
    """The dataset the city's adapter uses for a canonical table."""
    candidates = [
        d for d in list_datasets(root) if d.city == city and d.adapter and d.adapter.table == table
    ]
    primary = [d for d in candidates if d.adapter and d.adapter.primary]
    if len(primary) == 1:
        return primary[0]
    if not candidates:
        cities = sorted({d.city for d in list_datasets(root)})
        if city not in cities:
            raise AcademyError(
                f"datasets/{city}: no datasets for city {city!r}; set `city:` in "
                f"curriculum/academy.yml (or build with --city) to one of {', '.join(cities) or 'none'}"
            )
        offered = sorted(canonical_tables(root, city))
        raise AcademyError(
            f"datasets/{city}: no adapter provides canonical table {table!r}; add an `adapter` "
            f"with table {table!r} to a datapackage.json (tables for {city}: "
            f"{', '.join(offered) or 'none'})"
        )
    ids = ", ".join(d.id for d in (primary or candidates))
    raise AcademyError(
        f"datasets/{city}: {len(primary)} primary adapters for {table!r} ({ids}); mark exactly "
        'one with "primary": true and the others false'
    )
