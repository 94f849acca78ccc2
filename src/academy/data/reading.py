"""Read a published file into a table, exactly as published, and type it by its Table Schema."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from academy.core.errors import AcademyError
from academy.data.spec import DatasetInfo, ReadOptions


def _unreadable(info: DatasetInfo, path: Path, exc: Exception) -> AcademyError:
    return AcademyError(
        f"{info.id}: cannot read {path} as {info.format} ({type(exc).__name__}: {exc}); "
        f"check the file (`academy data verify`) and the dialect in {info.package_path}"
    )


def _read_xlsx(path: Path, options: ReadOptions) -> pd.DataFrame:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book[options.sheet] if options.sheet else book.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
    finally:
        book.close()
    header = rows[options.header_row - 1]
    keep = [i for i, name in enumerate(header) if name is not None and str(name).strip()]
    names = [str(header[i]) for i in keep]
    body = []
    for number, row in enumerate(rows[options.header_row :], start=options.header_row + 1):
        if number in options.skip_rows:
            continue
        values = [row[i] if i < len(row) else None for i in keep]
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        body.append([None if v is None else str(v) for v in values])
    return pd.DataFrame(body, columns=names, dtype="str")


def _read_geojson(path: Path) -> pd.DataFrame:
    collection = json.loads(path.read_text(encoding="utf-8"))
    rows = [
        {k: (None if v is None else str(v)) for k, v in (f.get("properties") or {}).items()}
        for f in collection.get("features", [])
    ]
    return pd.DataFrame(rows, dtype="str")


def _drop_index_column(frame: pd.DataFrame, info: DatasetInfo) -> pd.DataFrame:
    """Leave out a leading unnamed row-number column when the dataset says there is one."""
    options = info.resource.read
    if options is None or not options.index_column or frame.columns.empty:
        return frame
    return frame.iloc[:, 1:]


def read_text(info: DatasetInfo, path: Path) -> pd.DataFrame:
    """Every column as text (missing values as NA), column names exactly as published."""
    try:
        if info.format == "csv":
            frame = pd.read_csv(
                path,
                dtype="str",
                encoding=info.encoding,
                keep_default_na=False,
                na_values=info.missing_values,
            )
            return _drop_index_column(frame, info)
        if info.format == "xlsx":
            return _read_xlsx(path, info.resource.read or ReadOptions())
        if info.format == "geojson":
            return _read_geojson(path)
    except (ValueError, UnicodeDecodeError, KeyError, OSError, pd.errors.ParserError) as exc:
        raise _unreadable(info, path, exc) from exc
    raise AcademyError(
        f"{info.package_path}: format {info.format!r} is not supported; use csv, xlsx or geojson"
    )


def read_header(info: DatasetInfo, path: Path) -> list[str]:
    """The file's column names as published, reading as little as possible."""
    if info.format == "csv":
        try:
            header = pd.read_csv(path, nrows=0, encoding=info.encoding)
            return list(_drop_index_column(header, info).columns)
        except (ValueError, UnicodeDecodeError, OSError, pd.errors.ParserError) as exc:
            raise _unreadable(info, path, exc) from exc
    return list(read_text(info, path).columns)


def row_locator(info: DatasetInfo, path: Path, rows: int) -> Callable[[int], str]:
    """Row index of `read_text`'s table -> where it is: 'city/file.csv:LINE' (line in the file).

    Exact for a CSV whose cells hold no line breaks (checked by counting the file's lines);
    otherwise, and for workbooks and GeoJSON, it names the row ('city/file.csv, row N').
    """
    label = f"{info.city}/{info.file}"
    if info.format == "csv":
        data = path.read_bytes()
        lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
        if lines == rows + 1:
            return lambda index: f"{label}:{index + 2}"
    return lambda index: f"{label}, row {index + 1}"


def geometries(path: Path) -> list[dict | None]:
    """The geometry of each feature of a GeoJSON file, in file order."""
    collection = json.loads(path.read_text(encoding="utf-8"))
    return [f.get("geometry") for f in collection.get("features", [])]


def to_number(values: pd.Series) -> pd.Series:
    """Text to float64; surrounding spaces are ignored, anything else non-numeric is an error."""
    return pd.to_numeric(values.str.strip(), errors="raise").astype("float64")


def to_integer(values: pd.Series) -> pd.Series:
    """Text to nullable Int64; '7' and '7.0' both work, '7.5' is an error."""
    numbers = pd.to_numeric(values.str.strip(), errors="raise")
    whole = numbers.dropna()
    if not (whole == whole.round()).all():
        raise ValueError("non-whole number in an integer column")
    return numbers.astype("Int64")


def typed(info: DatasetInfo, text: pd.DataFrame) -> pd.DataFrame:
    """Apply the Table Schema: integer -> Int64, number -> float64, the rest stays text."""
    out = text.copy()
    for field in info.fields:
        if field.name not in out.columns or field.type not in ("integer", "number"):
            continue
        convert = to_integer if field.type == "integer" else to_number
        try:
            out[field.name] = convert(out[field.name])
        except (ValueError, TypeError) as exc:
            raise AcademyError(
                f"{info.package_path}: column {field.name!r} of {info.file} is declared "
                f"{field.type} but holds other values ({exc}); declare it as string"
            ) from exc
    return out
