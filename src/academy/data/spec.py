"""The typed shape of the academy's data specs.

A dataset's `datapackage.json` is a Frictionless Data Package with one resource.
The academy's own facts live under an `academy` property: on the package (city,
publisher, terms, quality problems, privacy) and on the resource (how to read
the file, the city adapter that maps it to a canonical table). The canonical
tables themselves are defined in `datasets/canonical.yml`. This module only
describes shapes; reading and checking them is done elsewhere.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from academy.core.strict import Frozen

# --- canonical tables ------------------------------------------------------------

FieldType = Literal["string", "integer", "number", "datetime"]


class CanonicalField(Frozen):
    """One column of a canonical table, the same for every city."""

    name: str = Field(description="Column name lessons use, snake_case, e.g. 'created_at'.")
    type: FieldType = Field(
        description="string, integer (whole numbers, missing allowed), number, or datetime "
        "(local time without a time zone)."
    )
    required: bool = Field(
        default=False, description="True when every city's adapter must provide this column."
    )
    description: str = Field(description="What the column means, in plain words.")
    values: list[str] | None = Field(
        default=None,
        description="The only values allowed (a vocabulary); the adapter maps raw values onto them.",
    )


class CanonicalTable(Frozen):
    """A table lessons can rely on whatever the active city."""

    description: str = Field(description="What one row is and what the table is for.")
    fields: list[CanonicalField] = Field(min_length=1, description="Columns in output order.")

    def field(self, name: str) -> CanonicalField | None:
        """The field called `name`, or None."""
        return next((f for f in self.fields if f.name == name), None)


class CanonicalFile(Frozen):
    """`datasets/canonical.yml`: every canonical table."""

    tables: dict[str, CanonicalTable] = Field(
        min_length=1, description="Canonical tables by name, e.g. 'service_requests'."
    )


# --- city adapters ---------------------------------------------------------------


class ColumnSource(Frozen):
    """Where a canonical column comes from when it is not one raw column as is."""

    column: str | None = Field(default=None, description="One raw column to take the value from.")
    columns: list[str] | None = Field(
        default=None,
        description="Several raw columns joined with `separator` (missing parts skipped).",
    )
    separator: str = Field(default=" ", description="Text put between joined columns.")
    pattern: str | None = Field(
        default=None,
        description="Regular expression with one group; the group's match is the value "
        "(e.g. the latitude inside '(39.3, -76.6)').",
    )

    def raw_columns(self) -> list[str]:
        """The raw columns this source reads."""
        return [self.column] if self.column else list(self.columns or [])


class DateFormat(Frozen):
    """How a raw date column is written."""

    format: str = Field(description="strptime format such as '%m/%d/%Y %I:%M:%S %p', or 'ISO8601'.")
    timezone: str | None = Field(
        default=None,
        description="For text that carries a UTC offset: convert to this zone (e.g. "
        "'America/New_York') and keep local time, so every city's times read the same way.",
    )


class Placeholder(Frozen):
    """Raw values that stand for 'unknown' and must become missing."""

    when: dict[str, list[float | str]] = Field(
        min_length=1,
        description="Canonical column -> values that mark a placeholder; a row matches when "
        "every listed column holds one of its values.",
    )
    blank: list[str] = Field(
        min_length=1, description="Canonical columns set to missing in matching rows."
    )
    reason: str = Field(description="Why these values are placeholders, for the data card.")


class Adapter(Frozen):
    """A city adapter: how one published file becomes a canonical table. Data, not code."""

    table: str = Field(description="Name of the canonical table this file provides.")
    primary: bool = Field(
        default=True,
        description="True for the file `table()` uses for this city; false for other files "
        "that can also be read as this table (e.g. an older snapshot).",
    )
    columns: dict[str, str | ColumnSource] = Field(
        min_length=1,
        description="Canonical column -> raw column name (or a ColumnSource). Every required "
        "canonical column must be listed; optional ones left out become missing.",
    )
    dates: dict[str, DateFormat] = Field(
        default_factory=dict,
        description="Canonical datetime column -> how the raw text is written.",
    )
    vocabularies: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="Canonical column -> {raw value: canonical value}, e.g. Pittsburgh STATUS "
        "'1' -> 'closed'. Every raw value in the file must be listed.",
    )
    placeholders: list[Placeholder] = Field(
        default_factory=list, description="Placeholder values to treat as missing."
    )


# --- reading and describing a file -------------------------------------------------


class ReadOptions(Frozen):
    """How to read a file that is not a plain CSV with a header on line 1."""

    sheet: str | None = Field(default=None, description="Workbook sheet to read (xlsx).")
    header_row: int = Field(default=1, ge=1, description="Row number (1-based) of the header.")
    skip_rows: list[int] = Field(
        default_factory=list,
        description="Row numbers (1-based) after the header that document the columns, not data.",
    )


QualityKind = Literal[
    "equals",
    "missing",
    "matches",
    "not_in",
    "duplicates",
    "bom",
    "cr_line_endings",
    "header_whitespace",
    "column_renamed",
]


class QualityCheck(Frozen):
    """A machine check that finds a known problem in the file, so profiles can count it."""

    kind: QualityKind = Field(
        description="equals: rows where every `values` column holds its value; missing: rows "
        "where `column` is empty; matches: rows where `column` matches `pattern`; not_in: values "
        "of `column` absent from `reference_column` of `reference` dataset; duplicates: rows "
        "whose `columns` repeat; bom: file starts with a byte-order mark; cr_line_endings: "
        "lines end in a bare carriage return; header_whitespace: column names with spaces at "
        "either end; column_renamed: `column` here is spelled `reference_column` in `reference`."
    )
    column: str | None = Field(default=None, description="The raw column checked.")
    columns: list[str] | None = Field(default=None, description="Raw columns (duplicates).")
    values: dict[str, str] | None = Field(
        default=None, description="Raw column -> raw text (equals)."
    )
    pattern: str | None = Field(default=None, description="Regular expression (matches).")
    reference: str | None = Field(
        default=None, description="Id of the other dataset (not_in, column_renamed)."
    )
    reference_column: str | None = Field(
        default=None, description="Column in the other dataset (not_in, column_renamed)."
    )


class QualityProblem(Frozen):
    """A known problem in the published file, kept on purpose for data-quality lessons."""

    id: str = Field(description="Stable kebab-case id, e.g. 'placeholder-coordinates'.")
    title: str = Field(description="Short title as shown on the card.")
    detail: str = Field(description="What is wrong and what to do about it, in plain words.")
    check: QualityCheck | None = Field(
        default=None, description="How to find it in the file, when it can be found by a rule."
    )


class Pseudonymise(Frozen):
    """Columns holding people's names, replaced by stable pseudonyms in learner-facing use."""

    columns: list[str] = Field(min_length=1, description="Raw columns holding personal names.")
    prefix: str = Field(
        default="Employee", description="Word in front of the code, e.g. 'Employee 4F2A9C1B'."
    )
    salt: str = Field(
        default="city-data-academy",
        description="Key mixed into the code; files sharing a salt give one person the same code.",
    )


class PackageMeta(Frozen):
    """The `academy` property of a datapackage.json: facts for the data card."""

    city: str = Field(description="City id; must match the folder under datasets/.")
    publisher: str = Field(description="Who publishes the data.")
    portal: str = Field(description="The original portal and dataset the file comes from.")
    terms: str = Field(description="Licence or terms exactly as the source states them.")
    collection: str = Field(description="How the data is collected, for a frontline reader.")
    caveats: str = Field(description="How the pinned copy was obtained and trimmed.")
    quality: list[QualityProblem] = Field(
        default_factory=list, description="Known quality problems, verified against the data."
    )
    privacy: str = Field(description="What in the file is about people and how to handle it.")
    pseudonymise: Pseudonymise | None = Field(
        default=None, description="Set when the file names people (e.g. salaries)."
    )

    def references(self) -> list[str]:
        """Ids of the other datasets the quality checks compare this one with."""
        return sorted({p.check.reference for p in self.quality if p.check and p.check.reference})


class ChartSpec(Frozen):
    """The one chart the dataset's portal page shows."""

    kind: Literal["top_values", "histogram", "line", "missing"] = Field(
        description="top_values: bars of the most common values of `column`; histogram: "
        "distribution of the numbers in `column`; line: `value` over the dates in `column`; "
        "missing: empty cells per column."
    )
    title: str = Field(description="Chart title, saying what it shows.")
    column: str | None = Field(default=None, description="Raw column the chart is about.")
    value: str | None = Field(default=None, description="Numeric raw column (line).")
    date_format: str | None = Field(
        default=None, description="strptime format of the dates in `column` (line)."
    )
    top: int = Field(default=10, ge=2, le=30, description="How many values to show (top_values).")


class ResourceMeta(Frozen):
    """The `academy` property of the datapackage's resource."""

    read: ReadOptions | None = Field(default=None, description="Reading options (xlsx).")
    chart: ChartSpec = Field(
        default_factory=lambda: ChartSpec(kind="missing", title="Empty cells in each column"),
        description="The chart on the dataset's portal page.",
    )
    adapter: Adapter | None = Field(
        default=None, description="How this file becomes a canonical table, if it does."
    )


class SchemaField(BaseModel):
    """The parts of a Table Schema field the academy uses (other Table Schema keys are allowed)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    name: str = Field(description="Column name as published.")
    type: str = Field(
        default="string", description="Table Schema type, e.g. string, integer, number."
    )
    format: str | None = Field(
        default=None, description="Table Schema format, e.g. a date pattern."
    )
    description: str = Field(default="", description="What the column holds.")


class DatasetInfo(Frozen):
    """One published file the academy knows, as listed by `academy data list`."""

    id: str = Field(description="'<city>/<dataset>', the folder under datasets/.")
    city: str = Field(description="City id.")
    title: str = Field(description="Human title.")
    description: str = Field(description="What the file is.")
    file: str = Field(description="File name in the mirror and the cache.")
    format: str = Field(description="csv, xlsx or geojson.")
    encoding: str = Field(description="Text encoding as published (utf-8-sig when there is a BOM).")
    sha256: str = Field(description="Pinned sha256 of the file, hex.")
    bytes: int = Field(description="Pinned size in bytes.")
    url: str = Field(description="Immutable public URL the file is fetched from.")
    table: str | None = Field(description="Canonical table this file provides, or None.")
    missing_values: list[str] = Field(description="Texts that mean 'missing' in the file.")
    fields: list[SchemaField] = Field(description="The published columns.")
    meta: PackageMeta = Field(description="Card facts.")
    resource: ResourceMeta = Field(description="Reading options and adapter.")
    package_path: str = Field(description="Path of datapackage.json, relative to the root.")

    @property
    def adapter(self) -> Adapter | None:
        """The city adapter, if the file maps to a canonical table."""
        return self.resource.adapter
