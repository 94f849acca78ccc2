"""Apply a city adapter: turn a published table (all text) into a canonical table.

An adapter is data (see `spec.Adapter`); this module is the one interpreter of it. In
order: rows that repeat a request are folded into one (counted in `published_rows`),
each canonical column is taken from its published column(s), codes are looked up,
vocabularies applied and values typed; X/Y in another reference system become
latitude/longitude (pyproj); placeholder values become missing. A value that does not
fit stops the adapter with the file line it is on and the fix.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable

import pandas as pd

from academy.data.reading import to_integer, to_number
from academy.data.spec import (
    PLACEHOLDER_COLUMN,
    Adapter,
    CanonicalField,
    CanonicalTable,
    ColumnSource,
    Coordinates,
    Match,
    Repeats,
)

# Bump when the interpretation below changes, so cached canonical tables are rebuilt.
ENGINE_VERSION = "3"

DTYPES = {
    "string": "str",
    "integer": "Int64",
    "number": "float64",
    "datetime": "datetime64[ns]",
    "boolean": "boolean",
}
TRUE = frozenset(["true", "t", "yes", "y", "1"])
FALSE = frozenset(["false", "f", "no", "n", "0"])

Where = Callable[[int], str]
"""Row index of the published table -> where it is, e.g. 'chicago/x.csv:1234'."""


class AdapterError(ValueError):
    """The adapter does not fit the file; the message says what, where and the fix.

    `rule` is the finding's rule id and `loc` the part of the adapter to point at.
    """

    def __init__(
        self, message: str, rule: str = "adapter-does-not-fit", loc: tuple[str | int, ...] = ()
    ) -> None:
        super().__init__(message)
        self.rule = rule
        self.loc = loc


def _row(index: int) -> str:
    return f"row {index + 1}"


def adapter_hash(adapter: Adapter, table: CanonicalTable, extra: object = None) -> str:
    """Stable hash of everything that shapes the canonical output (`extra`: e.g. lookup pins)."""
    payload = json.dumps(
        [ENGINE_VERSION, adapter.model_dump(mode="json"), table.model_dump(mode="json"), extra],
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def source_columns(source: str | ColumnSource) -> list[str]:
    """Raw columns a mapping entry reads."""
    return [source] if isinstance(source, str) else source.raw_columns()


def published_columns(adapter: Adapter) -> list[str]:
    """Every published column the adapter reads, in the order it names them."""
    names = [c for source in adapter.columns.values() for c in source_columns(source)]
    if adapter.coordinates is not None:
        names += [adapter.coordinates.x, adapter.coordinates.y]
    if adapter.repeats is not None:
        rule = adapter.repeats
        names += [*rule.key, *([rule.order_by] if rule.order_by else [])]
    for placeholder in adapter.placeholders:
        names += list(placeholder.when_published)
    return list(dict.fromkeys(n for n in names if n))


def accounted_problems(adapter: Adapter, table: CanonicalTable) -> list[tuple[str, str]]:
    """(canonical column, what is wrong) for columns the adapter maps or declares wrongly.

    Every canonical column is mapped, converted from X/Y, computed by the academy, or
    declared not published; required ones can never be declared not published.
    """
    problems = []
    converted = {"latitude", "longitude"} if adapter.coordinates is not None else set()
    for field in table.fields:
        name = field.name
        mapped = name in adapter.columns or name in converted
        declared = name in adapter.not_published
        if field.computed:
            if mapped or declared:
                problems.append((name, "is filled in by the academy; remove it from the adapter"))
        elif field.required and declared:
            problems.append(
                (
                    name,
                    "is required: every city must publish it, so map it to a column "
                    "instead of declaring it not published",
                )
            )
        elif field.required and not mapped:
            problems.append((name, "is required: map it to a column of the file"))
        elif mapped and declared:
            problems.append((name, "is both mapped and declared not published; keep one"))
        elif not mapped and not declared:
            problems.append(
                (
                    name,
                    "is neither mapped nor declared: map it to a column, or add it under "
                    '"not_published" with the reason this city\'s file does not have it',
                )
            )
    for name in converted & set(adapter.columns):
        problems.append((name, "comes from `coordinates`; remove it from `columns`"))
    return problems


def _take(text: pd.DataFrame, name: str, source: str | ColumnSource) -> pd.Series:
    missing = [c for c in source_columns(source) if c not in text.columns]
    if missing:
        raise AdapterError(
            f"column {name!r} maps to {', '.join(map(repr, missing))}, which the file does not have"
        )
    if isinstance(source, str):
        return text[source].astype("str")
    if source.columns:
        values = text[source.columns[0]].astype("str")
        for column in source.columns[1:]:
            part = text[column].astype("str")
            both = values.notna() & part.notna()
            values = values.where(~both, values + source.separator + part).fillna(part)
    else:
        values = text[source.column].astype("str")
    if source.pattern:
        values = values.str.extract(re.compile(source.pattern), expand=False).astype("str")
    return values


def _first(mask: pd.Series) -> int:
    return int(mask[mask].index[0])


def code_text(values: pd.Series) -> pd.Series:
    """Codes compared as text: spaces trimmed, '7.0' read as '7' (spreadsheets write both)."""
    text = values.astype("str").str.strip()
    return text.str.replace(r"^(-?\d+)\.0+$", r"\1", regex=True)


def _lookup(name: str, values: pd.Series, table: dict[str, str], where: Where) -> pd.Series:
    codes = code_text(values)
    unknown = codes.notna() & ~codes.isin(list(table))
    if unknown.any():
        first = _first(unknown)
        raise AdapterError(
            f"{where(first)}: column {name!r}: code {codes[first]!r} is not in its lookup "
            f"({int(unknown.sum()):,} row(s) like it); add the code to the lookup or fix the file",
            "adapter-lookup",
            ("lookups", name),
        )
    return codes.map(table).astype("str")


def lookup_table(frame: pd.DataFrame, key: str, value: str, dataset: str) -> dict[str, str]:
    """Code -> name from another published file; one code with two names is an error."""
    for column in (key, value):
        if column not in frame.columns:
            raise AdapterError(
                f"lookup reads column {column!r} of {dataset}, which it does not have "
                f"(columns: {', '.join(frame.columns)})"
            )
    pairs = pd.DataFrame({"code": code_text(frame[key]), "name": frame[value].str.strip()})
    pairs = pairs.dropna().drop_duplicates()
    clash = pairs["code"].duplicated(keep=False)
    if clash.any():
        code = pairs.loc[clash, "code"].iloc[0]
        names = " and ".join(repr(n) for n in pairs.loc[pairs["code"] == code, "name"])
        raise AdapterError(f"lookup in {dataset}: code {code!r} has two names, {names}")
    return dict(zip(pairs["code"], pairs["name"], strict=True))


def _vocabulary(
    name: str, values: pd.Series, vocabulary: dict[str, str], where: Where
) -> pd.Series:
    stripped = values.str.strip()
    unknown = stripped.notna() & ~stripped.isin(list(vocabulary))
    if unknown.any():
        shown = ", ".join(repr(v) for v in sorted(set(stripped[unknown]))[:5])
        raise AdapterError(
            f"{where(_first(unknown))}: column {name!r}: raw value(s) {shown} are not in the "
            "adapter's vocabulary; add them",
            "adapter-vocabulary",
            ("vocabularies", name),
        )
    return stripped.map(vocabulary).astype("str")


def parse_dates(values: pd.Series, fmt: str, timezone: str | None = None) -> pd.Series:
    """Text to datetimes (NaT where it does not fit `fmt`); with a zone, local time in it."""
    parsed = pd.to_datetime(
        values.str.strip(), format=fmt, errors="coerce", utc=timezone is not None
    )
    if timezone is not None:
        parsed = parsed.dt.tz_convert(timezone).dt.tz_localize(None)
    return parsed.astype(DTYPES["datetime"])


def _datetime(name: str, values: pd.Series, adapter: Adapter, where: Where) -> pd.Series:
    spec = adapter.dates.get(name)
    if spec is None:
        raise AdapterError(f"column {name!r} is a datetime but the adapter gives no date format")
    text = values.str.strip()
    parsed = parse_dates(text, spec.format, spec.timezone)
    bad = parsed.isna() & text.notna()
    if bad.any():
        first = _first(bad)
        raise AdapterError(
            f"{where(first)}: column {name!r}: {text[first]!r} does not match the date format "
            f"{spec.format!r}; fix the format in the adapter"
        )
    return parsed


def to_boolean(values: pd.Series) -> pd.Series:
    """'True'/'false'/'Y'/'0'... to a nullable boolean; anything else is NA."""
    text = values.astype("str").str.strip().str.lower()
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    out[text.isin(TRUE).fillna(False).astype(bool)] = True
    out[text.isin(FALSE).fillna(False).astype(bool)] = False
    return out


def _cast(field: CanonicalField, values: pd.Series, adapter: Adapter, where: Where) -> pd.Series:
    if field.type == "datetime":
        return _datetime(field.name, values, adapter, where)
    if field.type in ("integer", "number"):
        numbers = pd.to_numeric(values.str.strip(), errors="coerce")
        bad = numbers.isna() & values.str.strip().notna()
        if field.type == "integer":
            bad |= numbers.notna() & (numbers != numbers.round())
        if bad.any():
            first = _first(bad)
            raise AdapterError(
                f"{where(first)}: column {field.name!r} should be {field.type} but holds "
                f"{values[first]!r}; map it to another column, or fix the file"
            )
        return to_integer(values) if field.type == "integer" else to_number(values)
    if field.type == "boolean":
        parsed = to_boolean(values)
        bad = parsed.isna() & values.str.strip().notna()
        if bad.any():
            first = _first(bad)
            raise AdapterError(
                f"{where(first)}: column {field.name!r} should be true or false but holds "
                f"{values[first]!r}; add a vocabulary mapping each value to true or false"
            )
        return parsed
    text = values.astype("str").str.strip()
    return text.where(text != "", None).astype("str")


def _matches(values: pd.Series, targets: list[Match]) -> pd.Series:
    hit = pd.Series(False, index=values.index)
    if any(t is None for t in targets):
        hit |= values.isna()
    wanted = [t for t in targets if t is not None]
    if wanted:
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            numbers = [float(t) for t in wanted if _is_number(t)]
            hit |= values.isin(numbers).fillna(False).astype(bool)
        else:
            texts = {str(t).strip() for t in wanted}
            hit |= values.astype("str").str.strip().isin(texts).fillna(False).astype(bool)
    return hit


def _is_number(value: Match) -> bool:
    try:
        float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True


def _placeholder_mask(
    out: pd.DataFrame, text: pd.DataFrame, when: dict, when_published: dict
) -> pd.Series:
    mask = pd.Series(True, index=out.index)
    for name, values in when.items():
        mask &= _matches(out[name], values)
    for name, values in when_published.items():
        if name not in text.columns:
            raise AdapterError(f"a placeholder rule reads column {name!r}, which the file lacks")
        mask &= _matches(text[name], values)
    return mask


def _order_key(values: pd.Series, fmt: str | None) -> pd.Series:
    if fmt:
        return parse_dates(values, fmt)
    numbers = pd.to_numeric(values.str.strip(), errors="coerce")
    return numbers if numbers.notna().sum() == values.notna().sum() else values


def fold_repeats(text: pd.DataFrame, rule: Repeats | None) -> tuple[pd.DataFrame, pd.Series]:
    """One row per request, and how many published rows each kept row stands for.

    Rows whose key is missing are never folded: each is a request of its own.
    """
    if rule is None:
        return text, pd.Series(1, index=text.index, dtype="Int64")
    absent = [c for c in [*rule.key, *([rule.order_by] if rule.order_by else [])] if c not in text]
    if absent:
        raise AdapterError(
            f"`repeats` reads column(s) {', '.join(map(repr, absent))}, which the file lacks"
        )
    key = text[rule.key].apply(lambda s: s.str.strip())
    keyed = key.notna().all(axis=1)
    frame = text.assign(_order=range(len(text)))
    if rule.order_by:
        frame["_order_by"] = _order_key(text[rule.order_by], rule.order_format)
        order = ["_order_by", "_order"]
    else:
        order = ["_order"]
    ordered = frame[keyed].sort_values(order, kind="stable", na_position="first")
    groups = ordered.groupby([key.loc[ordered.index, c] for c in rule.key], sort=False)
    kept = groups.head(1) if rule.keep == "first" else groups.tail(1)
    sizes = groups["_order"].transform("size").loc[kept.index]
    keep_index = sorted([*kept.index, *text.index[~keyed]])
    counts = pd.Series(1, index=text.index, dtype="Int64")
    counts.loc[kept.index] = sizes.astype("Int64")
    return text.loc[keep_index], counts.loc[keep_index]


def convert_coordinates(
    text: pd.DataFrame, spec: Coordinates, where: Where
) -> tuple[pd.Series, pd.Series]:
    """(latitude, longitude) in degrees (WGS 84) from X/Y in `spec.crs`, with pyproj."""
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    columns = {}
    for axis, column in (("x", spec.x), ("y", spec.y)):
        if column not in text.columns:
            raise AdapterError(f"coordinates.{axis} reads column {column!r}, which the file lacks")
        values = text[column]
        numbers = pd.to_numeric(values.str.strip(), errors="coerce")
        bad = numbers.isna() & values.str.strip().notna()
        if bad.any():
            first = _first(bad)
            raise AdapterError(
                f"{where(first)}: coordinates.{axis} ({column}) holds {values[first]!r}, "
                "not a number; fix the file or map another column"
            )
        columns[axis] = numbers.astype("float64")
    try:
        transformer = Transformer.from_crs(
            CRS.from_user_input(spec.crs), "EPSG:4326", always_xy=True
        )
    except CRSError as exc:
        raise AdapterError(
            f"coordinates.crs {spec.crs!r} is not a coordinate reference system pyproj knows "
            f"({exc}); give an EPSG code such as 'EPSG:3435'",
            "adapter-coordinates",
            ("coordinates", "crs"),
        ) from exc
    both = columns["x"].notna() & columns["y"].notna()
    lon, lat = transformer.transform(columns["x"][both].to_numpy(), columns["y"][both].to_numpy())
    latitude = pd.Series(float("nan"), index=text.index)
    longitude = pd.Series(float("nan"), index=text.index)
    latitude[both], longitude[both] = lat, lon
    return latitude, longitude


def check_degrees(out: pd.DataFrame, where: Where) -> None:
    """Latitude must lie within -90..90 and longitude -180..180: anything else is not degrees."""
    for name, limit in (("latitude", 90), ("longitude", 180)):
        values = out[name]
        bad = values.abs() > limit
        if bad.fillna(False).any():
            first = _first(bad.fillna(False).astype(bool))
            raise AdapterError(
                f"{where(first)}: {name} {values[first]:,.6g} is outside -{limit} to {limit}, "
                f"so it is not in degrees ({int(bad.sum()):,} row(s)); if the file gives "
                "projected X/Y (e.g. state-plane feet), name their CRS under "
                '"coordinates" instead of mapping them as latitude/longitude',
                "adapter-coordinates",
                ("columns", name),
            )


def apply_adapter(
    text: pd.DataFrame,
    adapter: Adapter,
    table: CanonicalTable,
    lookups: dict[str, dict[str, str]] | None = None,
    where: Where = _row,
    keep_index: bool = False,
    keep_placeholders: bool = False,
) -> pd.DataFrame:
    """The canonical table: every canonical column, in order, typed; not published ones missing.

    `lookups` holds the code tables of lookups that read another file (see `lookup_table`);
    `where` names the file line of a row, for the error messages; `keep_index` keeps the
    published row numbers as the index (for checks that point at lines);
    `keep_placeholders` keeps placeholder values as published and adds a true/false
    `placeholder` column marking them (for lessons about them).
    """
    problems = accounted_problems(adapter, table)
    if problems:
        name, what = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise AdapterError(f"{name!r} {what}{more}")
    unknown = [n for n in [*adapter.columns, *adapter.not_published] if table.field(n) is None]
    if unknown:
        raise AdapterError(f"{', '.join(unknown)} not in the canonical table; remove or rename")
    text, counts = fold_repeats(text, adapter.repeats)
    out = pd.DataFrame(index=text.index)
    converted = (
        convert_coordinates(text, adapter.coordinates, where) if adapter.coordinates else None
    )
    for field in table.fields:
        source = adapter.columns.get(field.name)
        if field.computed:
            out[field.name] = counts
            continue
        if converted is not None and field.name in ("latitude", "longitude"):
            out[field.name] = converted[0 if field.name == "latitude" else 1]
            continue
        if source is None:
            out[field.name] = pd.Series(index=text.index, dtype=DTYPES[field.type])
            continue
        values = _take(text, field.name, source)
        lookup = adapter.lookups.get(field.name)
        if lookup is not None:
            codes = lookup.values if lookup.values is not None else (lookups or {}).get(field.name)
            if codes is None:
                raise AdapterError(f"column {field.name!r}: the lookup table was not loaded")
            values = _lookup(field.name, values, codes, where)
        if field.name in adapter.vocabularies:
            values = _vocabulary(field.name, values, adapter.vocabularies[field.name], where)
        out[field.name] = _cast(field, values, adapter, where)
        if field.values is not None:
            outside = out[field.name].notna() & ~out[field.name].isin(field.values)
            if outside.any():
                shown = ", ".join(map(repr, sorted(set(out.loc[outside, field.name]))))
                raise AdapterError(
                    f"column {field.name!r}: {shown} not allowed (allowed: "
                    f"{', '.join(field.values)}); map them in the adapter's vocabulary"
                )
    marked = pd.Series(False, index=out.index)
    for rule in adapter.placeholders:
        mask = _placeholder_mask(out, text, rule.when, rule.when_published)
        marked |= mask
        if keep_placeholders:
            continue
        for name in rule.blank:
            out.loc[mask, name] = pd.NA
    if keep_placeholders:
        out[PLACEHOLDER_COLUMN] = marked.astype("boolean")
    if "latitude" in out.columns and "longitude" in out.columns:
        check_degrees(out, where)
    return out if keep_index else out.reset_index(drop=True)
