"""Apply a city adapter: turn a published table (all text) into a canonical table.

An adapter is data (see `spec.Adapter`); this module is the one interpreter of it.
"""

from __future__ import annotations

import hashlib
import json
import re

import pandas as pd

from academy.data.reading import to_integer, to_number
from academy.data.spec import Adapter, CanonicalField, CanonicalTable, ColumnSource

# Bump when the interpretation below changes, so cached canonical tables are rebuilt.
ENGINE_VERSION = "1"

DTYPES = {"string": "str", "integer": "Int64", "number": "float64", "datetime": "datetime64[ns]"}


class AdapterError(ValueError):
    """The adapter does not fit the file; the message says what and where."""


def adapter_hash(adapter: Adapter, table: CanonicalTable) -> str:
    """Stable hash of everything that shapes the canonical output."""
    payload = json.dumps(
        [ENGINE_VERSION, adapter.model_dump(mode="json"), table.model_dump(mode="json")],
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def source_columns(source: str | ColumnSource) -> list[str]:
    """Raw columns a mapping entry reads."""
    return [source] if isinstance(source, str) else source.raw_columns()


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


def _vocabulary(name: str, values: pd.Series, vocabulary: dict[str, str]) -> pd.Series:
    stripped = values.str.strip()
    unknown = sorted(set(stripped.dropna()) - set(vocabulary))
    if unknown:
        shown = ", ".join(repr(v) for v in unknown[:5])
        raise AdapterError(
            f"column {name!r}: raw value(s) {shown} are not in the adapter's vocabulary; add them"
        )
    return stripped.map(vocabulary).astype("str")


def _datetime(name: str, values: pd.Series, adapter: Adapter) -> pd.Series:
    spec = adapter.dates.get(name)
    if spec is None:
        raise AdapterError(f"column {name!r} is a datetime but the adapter gives no date format")
    text = values.str.strip()
    parsed = pd.to_datetime(
        text, format=spec.format, errors="coerce", utc=spec.timezone is not None
    )
    bad = text[parsed.isna() & text.notna()]
    if not bad.empty:
        raise AdapterError(
            f"column {name!r}: {bad.iloc[0]!r} does not match the date format {spec.format!r}; "
            "fix the format in the adapter"
        )
    if spec.timezone is not None:
        parsed = parsed.dt.tz_convert(spec.timezone).dt.tz_localize(None)
    return parsed.astype(DTYPES["datetime"])


def _cast(field: CanonicalField, values: pd.Series, adapter: Adapter) -> pd.Series:
    if field.type == "datetime":
        return _datetime(field.name, values, adapter)
    try:
        if field.type == "integer":
            return to_integer(values)
        if field.type == "number":
            return to_number(values)
    except (ValueError, TypeError) as exc:
        raise AdapterError(f"column {field.name!r} should be {field.type}: {exc}") from exc
    text = values.astype("str").str.strip()
    return text.where(text != "", None).astype("str")


def _placeholder_mask(out: pd.DataFrame, when: dict[str, list[float | str]]) -> pd.Series:
    mask = pd.Series(True, index=out.index)
    for name, values in when.items():
        column = out[name]
        if pd.api.types.is_numeric_dtype(column):
            targets = [float(v) for v in values]
        else:
            targets = [str(v) for v in values]
        mask &= column.isin(targets).fillna(False).astype(bool)
    return mask


def apply_adapter(text: pd.DataFrame, adapter: Adapter, table: CanonicalTable) -> pd.DataFrame:
    """The canonical table: every canonical column, in order, typed; unmapped optional ones missing."""
    missing_required = [
        f.name for f in table.fields if f.required and f.name not in adapter.columns
    ]
    if missing_required:
        raise AdapterError(f"required column(s) {', '.join(missing_required)} not mapped")
    unknown = [name for name in adapter.columns if table.field(name) is None]
    if unknown:
        raise AdapterError(f"{', '.join(unknown)} not in the canonical table; remove or rename")
    out = pd.DataFrame(index=text.index)
    for field in table.fields:
        source = adapter.columns.get(field.name)
        if source is None:
            out[field.name] = pd.Series(index=text.index, dtype=DTYPES[field.type])
            continue
        values = _take(text, field.name, source)
        if field.name in adapter.vocabularies:
            values = _vocabulary(field.name, values, adapter.vocabularies[field.name])
        out[field.name] = _cast(field, values, adapter)
        if field.values is not None:
            outside = sorted(set(out[field.name].dropna()) - set(field.values))
            if outside:
                raise AdapterError(
                    f"column {field.name!r}: {', '.join(map(repr, outside))} not allowed "
                    f"(allowed: {', '.join(field.values)}); map them in the adapter's vocabulary"
                )
    for rule in adapter.placeholders:
        mask = _placeholder_mask(out, rule.when)
        for name in rule.blank:
            out.loc[mask, name] = pd.NA
    return out.reset_index(drop=True)
