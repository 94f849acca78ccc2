"""Named queries: how a lesson file asks the data for rows and numbers, safely.

A query is data, not code: a source (a canonical table, a published file or other
queries) and a list of operations from a small vocabulary (filter, count_by, median ...).
`check_queries` follows the columns through every operation without reading any data,
so `academy validate` can point at a misspelt column; `evaluate_queries` runs them on
pandas frames at build time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from academy.clickthrough.model import VALUE_OPS, ClickLesson, Condition, Query, op_name

Loc = tuple[str | int, ...]
Value = Any  # str, int, float, bool, pandas.Timestamp or None


class QueryError(Exception):
    """A query that cannot run; `loc` points into the lesson file."""

    def __init__(self, loc: Loc, message: str):
        super().__init__(message)
        self.loc = loc
        self.message = message


@dataclass
class Shape:
    """What a query gives: rows with these columns, or one value."""

    columns: list[str] = field(default_factory=list)
    is_value: bool = False


@dataclass
class Problem:
    """A static problem in a query, at a place in the lesson file."""

    loc: Loc
    message: str


# --- static checking -----------------------------------------------------------------------

ColumnsOf = Callable[[str], list[str] | None]
"""Columns of a table or published file by name; None when no such source exists."""


def _need(columns: list[str], name: str, loc: Loc, problems: list[Problem]) -> None:
    if name not in columns:
        shown = ", ".join(columns[:30]) or "none"
        problems.append(Problem(loc, f"no column '{name}' here; the columns are: {shown}"))


def _condition_columns(
    cond: Condition, columns: list[str], loc: Loc, problems: list[Problem]
) -> None:
    _need(columns, cond.column, (*loc, "column"), problems)


def _step_shape(op: BaseModel, shape: Shape, loc: Loc, problems: list[Problem]) -> Shape:
    """Columns after one operation (pure)."""
    name = op_name(op)
    spec = getattr(op, name)
    cols = list(shape.columns)
    here = (*loc, name)
    if name in {"filter", "share"}:
        _condition_columns(spec, cols, here, problems)
    elif name == "select":
        for i, col in enumerate(spec):
            _need(cols, col, (*here, i), problems)
        cols = [c for c in spec if c in cols]
    elif name == "rename":
        for old in spec:
            _need(cols, old, (*here, old), problems)
        cols = [spec.get(c, c) for c in cols]
    elif name == "sort":
        _need(cols, spec.by, (*here, "by"), problems)
    elif name == "parse":
        _need(cols, spec.column, (*here, "column"), problems)
    elif name == "days_between":
        _need(cols, spec.start, (*here, "start"), problems)
        _need(cols, spec.end, (*here, "end"), problems)
        cols = [*cols, spec.into]
    elif name == "day":
        _need(cols, spec.column, (*here, "column"), problems)
        cols = [*cols, spec.into]
    elif name == "quadrant":
        _need(cols, "latitude", here, problems)
        _need(cols, "longitude", here, problems)
        cols = [*cols, spec.into]
    elif name == "duplicates":
        for i, col in enumerate(spec.columns):
            _need(cols, col, (*here, "columns", i), problems)
    elif name == "mark_duplicates":
        for i, col in enumerate(spec.columns):
            _need(cols, col, (*here, "columns", i), problems)
        cols = [*cols, spec.into]
    elif name == "count_by":
        _need(cols, spec.column, (*here, "column"), problems)
        cols = [spec.column, "count"]
    elif name == "count_by_period":
        _need(cols, spec.column, (*here, "column"), problems)
        cols = ["period", "count"]
    elif name == "share_of_total":
        _need(cols, spec, here, problems)
        cols = [*cols, "share"]
    elif name in {"median", "min", "max", "sum", "distinct", "has_values"}:
        _need(cols, spec, here, problems)
    elif name == "pick":
        _need(cols, spec.column, (*here, "column"), problems)
    elif name == "change":
        _need(cols, spec.column, (*here, "column"), problems)
        _need(cols, spec.by, (*here, "by"), problems)
    return Shape(columns=cols, is_value=name in VALUE_OPS)


def check_queries(
    lesson: ClickLesson, columns_of: ColumnsOf
) -> tuple[dict[str, Shape], list[Problem]]:
    """The shape of every query and every problem found, without reading data."""
    shapes: dict[str, Shape] = {}
    problems: list[Problem] = []
    visiting: set[str] = set()

    def shape_of(name: str) -> Shape:
        if name in shapes:
            return shapes[name]
        query = lesson.queries[name]
        loc: Loc = ("queries", name)
        if name in visiting:
            problems.append(Problem((*loc, "from"), f"query '{name}' depends on itself"))
            return Shape()
        visiting.add(name)
        parts: list[list[str]] = []
        for i, source in enumerate(query.sources):
            where = (*loc, "from") if isinstance(query.source, str) else (*loc, "from", i)
            if source in lesson.queries:
                inner = shape_of(source)
                if inner.is_value:
                    problems.append(Problem(where, f"query '{source}' gives one value, not rows"))
                parts.append(inner.columns)
                continue
            cols = columns_of(source)
            if cols is None:
                problems.append(
                    Problem(
                        where,
                        f"unknown table, dataset or query '{source}'; use a canonical table "
                        "(e.g. service_requests), a '<city>/<dataset>' id or a query of this lesson",
                    )
                )
                parts.append([])
            else:
                parts.append(list(cols))
        shape = Shape(columns=parts[0] if len(parts) == 1 else _common(parts))
        for i, op in enumerate(query.steps):
            if shape.is_value:
                problems.append(
                    Problem(
                        (*loc, "steps", i),
                        f"step '{op_name(query.steps[i - 1])}' already gave one value; "
                        "single-value steps must come last",
                    )
                )
                break
            shape = _step_shape(op, shape, (*loc, "steps", i), problems)
        visiting.discard(name)
        shapes[name] = shape
        return shape

    for name in lesson.queries:
        shape_of(name)
    return shapes, problems


def _common(parts: list[list[str]]) -> list[str]:
    first = parts[0]
    return [c for c in first if all(c in p for p in parts[1:])]


# --- evaluation ------------------------------------------------------------------------------

Loader = Callable[[str], pd.DataFrame]
"""Rows of a canonical table or published file by name."""


def _mask(frame: pd.DataFrame, cond: Condition) -> pd.Series:
    values = frame[cond.column]
    op, want = cond.operator, cond.value
    if op == "missing":
        return values.isna() if want else values.notna()
    if op in {"equals", "not_equals"}:
        hit = values.astype("object").eq(want) | values.astype("string").eq(str(want))
        hit = hit.fillna(False).astype(bool)
        return hit if op == "equals" else ~hit & values.notna()
    if op in {"one_of", "not_one_of"}:
        texts = {str(w) for w in want}
        hit = values.astype("string").isin(texts).fillna(False).astype(bool)
        return hit if op == "one_of" else ~hit & values.notna()
    text = values.astype("string").str
    if op == "contains":
        return text.contains(str(want), case=False, regex=False).fillna(False).astype(bool)
    if op == "starts_with":
        return text.startswith(str(want)).fillna(False).astype(bool)
    numbers = pd.to_numeric(values, errors="coerce")
    if op == "above":
        return (numbers > want).fillna(False).astype(bool)
    return (numbers < want).fillna(False).astype(bool)


def condition_mask(frame: pd.DataFrame, cond: Condition) -> pd.Series:
    """Boolean Series: which rows pass `cond` (rows with no value never pass, except `missing`)."""
    return _mask(frame, cond).reindex(frame.index).fillna(False).astype(bool)


def _quadrant(frame: pd.DataFrame) -> pd.Series:
    lat, lon = frame["latitude"], frame["longitude"]
    mid_lat = (lat.quantile(0.01) + lat.quantile(0.99)) / 2
    mid_lon = (lon.quantile(0.01) + lon.quantile(0.99)) / 2
    north = np.where(lat >= mid_lat, "North", "South")
    east = np.where(lon >= mid_lon, "east", "west")
    names = pd.Series([f"{n}-{e}" for n, e in zip(north, east, strict=True)], index=frame.index)
    return names.where(lat.notna() & lon.notna())


def _reduce(name: str, spec: Any, frame: pd.DataFrame) -> Value:
    if name == "count":
        return len(frame)
    if name == "share":
        return float(condition_mask(frame, spec).mean()) if len(frame) else 0.0
    if name == "distinct":
        return int(frame[spec].nunique(dropna=True))
    if name == "has_values":
        return bool(frame[spec].notna().any())
    if name == "change":
        ordered = frame.dropna(subset=[spec.column, spec.by]).sort_values(spec.by, kind="stable")
        if len(ordered) < 2:
            return None
        first, last = float(ordered[spec.column].iloc[0]), float(ordered[spec.column].iloc[-1])
        return (last - first) / first if first else None
    if name == "pick":
        if spec.row >= len(frame):
            return None
        return _plain(frame[spec.column].iloc[spec.row])
    values = frame[spec].dropna()
    if values.empty:
        return None
    if name == "median":
        if pd.api.types.is_datetime64_any_dtype(values):
            return values.sort_values().iloc[(len(values) - 1) // 2]
        return _plain(values.astype(float).median())
    if name == "min":
        return _plain(values.min())
    if name == "max":
        return _plain(values.max())
    return _plain(values.astype(float).sum())


def _plain(value: Any) -> Value:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def apply_step(op: BaseModel, frame: pd.DataFrame) -> pd.DataFrame | Value:
    """One operation on a frame (pure: the input is not changed)."""
    name = op_name(op)
    spec = getattr(op, name)
    if name in VALUE_OPS:
        return _reduce(name, spec, frame)
    out = frame
    if name == "filter":
        out = frame[condition_mask(frame, spec)]
    elif name == "select":
        out = frame[list(spec)]
    elif name == "rename":
        out = frame.rename(columns=spec)
    elif name == "sort":
        out = frame.sort_values(
            spec.by, ascending=not spec.descending, kind="stable", na_position="last"
        )
    elif name == "head":
        out = frame.head(spec)
    elif name == "sample":
        out = (
            frame.sample(n=min(spec.n, len(frame)), random_state=spec.seed) if len(frame) else frame
        )
    elif name == "shuffle":
        out = frame.sample(frac=1.0, random_state=spec) if len(frame) else frame
    elif name == "parse":
        out = frame.copy()
        if spec.to == "number":
            cleaned = (
                out[spec.column].astype("string").str.replace(",", "", regex=False).str.strip()
            )
            out[spec.column] = pd.to_numeric(cleaned, errors="coerce")
        else:
            out[spec.column] = pd.to_datetime(out[spec.column], format=spec.format, errors="coerce")
    elif name == "days_between":
        out = frame.copy()
        delta = pd.to_datetime(out[spec.end]) - pd.to_datetime(out[spec.start])
        out[spec.into] = delta.dt.total_seconds() / 86400.0
    elif name == "day":
        out = frame.copy()
        out[spec.into] = pd.to_datetime(out[spec.column]).dt.normalize()
    elif name == "quadrant":
        out = frame.copy()
        out[spec.into] = _quadrant(out)
    elif name == "duplicates":
        keyed = frame.dropna(subset=spec.columns)
        out = keyed[keyed.duplicated(subset=spec.columns, keep=False)].sort_values(
            spec.columns, kind="stable"
        )
    elif name == "mark_duplicates":
        out = frame.copy()
        complete = out[spec.columns].notna().all(axis=1)
        out[spec.into] = complete & out.duplicated(subset=spec.columns, keep=False)
    elif name == "count_by":
        values = frame[spec.column]
        if spec.keep_missing:
            values = values.astype("object").where(values.notna(), "(blank)")
        counts = values.value_counts(dropna=True)
        out = (
            counts.rename_axis(spec.column)
            .reset_index(name="count")
            .sort_values(["count", spec.column], ascending=[False, True], kind="stable")
        )
    elif name == "count_by_period":
        dates = pd.to_datetime(frame[spec.column]).dropna()
        periods = dates.dt.to_period("M" if spec.period == "month" else "Y").dt.to_timestamp()
        out = periods.value_counts().sort_index().rename_axis("period").reset_index(name="count")
    elif name == "share_of_total":
        out = frame.copy()
        total = pd.to_numeric(out[spec], errors="coerce").sum()
        out["share"] = pd.to_numeric(out[spec], errors="coerce") / total if total else 0.0
    return out.reset_index(drop=True)


def evaluate_queries(lesson: ClickLesson, load: Loader) -> dict[str, pd.DataFrame | Value]:
    """Run every query of the lesson; a failing one raises QueryError pointing at it."""
    results: dict[str, pd.DataFrame | Value] = {}
    sources: dict[str, pd.DataFrame] = {}

    def source(name: str, loc: Loc) -> pd.DataFrame:
        if name in lesson.queries:
            value = run(name)
            if not isinstance(value, pd.DataFrame):
                raise QueryError(loc, f"query '{name}' gives one value, not rows")
            return value
        if name not in sources:
            try:
                sources[name] = load(name)
            except Exception as exc:
                raise QueryError(loc, f"cannot read '{name}': {exc}") from exc
        return sources[name]

    def run(name: str) -> pd.DataFrame | Value:
        if name in results:
            return results[name]
        query: Query = lesson.queries[name]
        loc: Loc = ("queries", name)
        frames = [source(s, (*loc, "from")) for s in query.sources]
        value: pd.DataFrame | Value = (
            frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True, join="inner")
        )
        for i, op in enumerate(query.steps):
            try:
                value = apply_step(op, value)
            except (KeyError, ValueError, TypeError) as exc:
                raise QueryError(
                    (*loc, "steps", i), f"step '{op_name(op)}' failed on the {name} rows: {exc}"
                ) from exc
        results[name] = value
        return value

    for name in lesson.queries:
        run(name)
    return results
