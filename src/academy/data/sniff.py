"""What a new file is, read from the file itself: for `academy data init`.

Size, sha256, encoding and byte-order mark, a blank leading index column, the header row
of a workbook, the Table Schema (inferred by frictionless from every row), and how each
date column is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from academy.data.quality import BOM

FORMATS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".geojson": "geojson"}

# Date patterns cities publish, most specific first; the first one every value fits wins.
DATE_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y",
    "%Y/%m/%d %H:%M:%S%z",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%d-%b-%Y",
    "%b %d %Y",
)
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$")
OFFSET = re.compile(r"(?:Z|[+-]\d{2}(?::?\d{2})?)$")
SAMPLE = 20_000  # rows read to guess date formats
INFER_ROWS = 2_000  # rows frictionless infers types from; every row is then checked


@dataclass(frozen=True)
class DateGuess:
    """How a text column's dates are written."""

    format: str  # strptime pattern or 'ISO8601'
    has_offset: bool  # the text carries a UTC offset (needs a timezone)


@dataclass
class FileFacts:
    """Everything `academy data init` learns from the file before proposing anything."""

    path: Path
    format: str
    bytes: int
    sha256: str
    encoding: str
    index_column: bool
    header_row: int
    sheet: str | None
    text: pd.DataFrame  # every column as text, as `academy.data.reading` will read it
    types: dict[str, str] = field(default_factory=dict)  # column -> Table Schema type
    dates: dict[str, DateGuess] = field(default_factory=dict)
    lines_exact: bool = True

    @property
    def bom(self) -> bool:
        return self.encoding == "utf-8-sig"


def file_format(path: Path) -> str:
    """csv, xlsx or geojson from the file name; anything else is not supported."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        from academy.core.errors import AcademyError

        raise AcademyError(
            f"{path}: cannot read {path.suffix or 'files without a suffix'}; `academy data "
            "init` reads .csv, .xlsx and .geojson files (save it as CSV first)"
        )
    return fmt


def detect_encoding(path: Path) -> str:
    """'utf-8-sig' with a byte-order mark, 'utf-8' when it decodes, else frictionless' guess."""
    head = path.read_bytes()
    if head.startswith(BOM):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        from frictionless import Resource

        resource = Resource(path=str(path))
        resource.infer()
        return resource.encoding or "latin-1"
    return "utf-8"


def header_row_of(rows: list[tuple]) -> int:
    """The 1-based row of a workbook's header: the first row mostly filled with distinct text."""
    widest = max((sum(v is not None for v in r) for r in rows[:30]), default=0)
    for number, row in enumerate(rows[:30], start=1):
        names = [str(v).strip() for v in row if v is not None and str(v).strip()]
        numeric = all(re.fullmatch(r"-?\d+(\.\d+)?", n) for n in names)
        if names and len(names) >= widest / 2 and len(set(names)) == len(names) and not numeric:
            return number
    return 1


def _workbook(path: Path) -> tuple[str | None, int]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True, max_row=40))
        return (sheet.title if len(book.worksheets) > 1 else None), header_row_of(rows)
    finally:
        book.close()


def _leading_index(path: Path, encoding: str) -> bool:
    """True when the first column has no name and only numbers the rows (0, 1, 2 ... or 1, 2 ...)."""
    head = pd.read_csv(path, nrows=0, encoding=encoding)
    if head.columns.empty or not str(head.columns[0]).startswith("Unnamed: 0"):
        return False
    first = pd.read_csv(path, usecols=[0], dtype="str", encoding=encoding).iloc[:, 0]
    numbers = pd.to_numeric(first, errors="coerce")
    if numbers.isna().any():
        return False
    start = int(numbers.iloc[0]) if len(numbers) else 0
    return bool(
        (numbers.reset_index(drop=True) == pd.RangeIndex(start, start + len(numbers))).all()
    )


def infer_types(text: pd.DataFrame) -> dict[str, str]:
    """Table Schema types inferred by frictionless from the values (every row up to SAMPLE).

    Codes written with leading zeros ('08', '0702 050') stay text, and the academy reads
    only integer and number from a schema, so date and other types become string.
    """
    from frictionless import Detector, Resource

    head = text.head(INFER_ROWS)
    rows = head.astype("object").where(head.notna(), None)
    data = [list(text.columns), *rows.itertuples(index=False, name=None)]
    detector = Detector(sample_size=INFER_ROWS, field_confidence=1.0, field_missing_values=[""])
    resource = Resource(data=data, detector=detector)
    resource.infer()
    types = {}
    for name, inferred in zip(text.columns, resource.schema.fields, strict=True):
        kind = inferred.type if inferred.type in ("integer", "number") else "string"
        values = text[name].dropna().str.strip()
        numbers = pd.to_numeric(values, errors="coerce")
        if kind != "string" and numbers.isna().any():
            kind = "string"  # a later row is not a number
        if kind == "integer" and not (numbers == numbers.round()).all():
            kind = "number"
        if kind != "string" and values.str.match(r"^-?0\d").any():
            kind = "string"  # a code such as '08': its zero matters
        if kind == "integer" and name.lower().replace("_", "") in {"zip", "zipcode", "postcode"}:
            kind = "string"
        types[name] = kind
    return types


def guess_date_format(values: pd.Series) -> DateGuess | None:
    """The format every non-empty value of a text column fits, or None if it is not dates."""
    sample = values.dropna().str.strip()
    sample = sample[sample != ""].head(SAMPLE)
    if sample.empty or not sample.str.contains(r"\d").all():
        return None
    if sample.str.match(ISO).all():
        return DateGuess("ISO8601", bool(sample.str.contains(OFFSET.pattern).any()))
    for fmt in DATE_FORMATS:
        parsed = pd.to_datetime(sample, format=fmt, errors="coerce", utc="%z" in fmt)
        if parsed.notna().all():
            return DateGuess(fmt, "%z" in fmt)
    return None


def sniff(path: Path) -> FileFacts:
    """Read a new file and learn what `academy data init` needs to draft its package."""
    import hashlib

    from academy.data.reading import read_text
    from academy.data.spec import DatasetInfo, PackageMeta, ReadOptions, ResourceMeta

    fmt = file_format(path)
    data = path.read_bytes()
    encoding = detect_encoding(path) if fmt == "csv" else "utf-8"
    index_column = fmt == "csv" and _leading_index(path, encoding)
    sheet, header_row = _workbook(path) if fmt == "xlsx" else (None, 1)
    read = ReadOptions(sheet=sheet, header_row=header_row, index_column=index_column)
    stand_in = DatasetInfo(
        id="new/file",
        city="new",
        title="",
        description="",
        file=path.name,
        format=fmt,
        encoding=encoding,
        sha256="",
        bytes=len(data),
        url=None,
        table=None,
        missing_values=[""],
        fields=[],
        meta=PackageMeta(
            city="new", publisher="", portal="", terms="", collection="", caveats="", privacy=""
        ),
        resource=ResourceMeta(read=read),
        package_path="",
    )
    text = read_text(stand_in, path)
    facts = FileFacts(
        path=path,
        format=fmt,
        bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
        index_column=index_column,
        header_row=header_row,
        sheet=sheet,
        text=text,
    )
    facts.types = infer_types(text)
    for name in text.columns:
        if facts.types[name] == "string":
            guess = guess_date_format(text[name])
            if guess is not None:
                facts.dates[name] = guess
    if fmt == "csv":
        lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
        facts.lines_exact = lines == len(text) + 1
    return facts
