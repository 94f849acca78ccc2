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

from pydantic import BaseModel, ConfigDict, Field, model_validator

from academy.core.strict import Frozen

# --- canonical tables ------------------------------------------------------------

WITH_PLACEHOLDERS = ".with_placeholders"
"""`table("service_requests.with_placeholders")`: the canonical table with every placeholder
value kept as published, a true/false `placeholder` column marking them, and (for a table
with map points) `outside_city`: true where the point lies far outside the city's extent."""
PLACEHOLDER_COLUMN = "placeholder"
OUTSIDE_COLUMN = "outside_city"


def base_table(name: str) -> str:
    """The canonical table a name reads: 'service_requests.with_placeholders' -> 'service_requests'."""
    return name.removesuffix(WITH_PLACEHOLDERS)


FieldType = Literal["string", "integer", "number", "datetime", "boolean"]


class CanonicalField(Frozen):
    """One column of a canonical table, the same for every city."""

    name: str = Field(description="Column name lessons use, snake_case, e.g. 'created_at'.")
    type: FieldType = Field(
        description="string, integer (whole numbers, missing allowed), number, datetime "
        "(local time without a time zone) or boolean (true/false, missing allowed)."
    )
    required: bool = Field(
        default=False,
        description="True when every city must publish this column: its adapter must map it. "
        "False when a city may not publish it: its adapter then declares it under "
        "`not_published`, with the reason, and lessons say so instead of computing on it.",
    )
    computed: bool = Field(
        default=False,
        description="True for a column the academy fills in itself (e.g. how many rows of "
        "the file repeat a request); adapters never map it.",
    )
    description: str = Field(description="What the column means, in plain words.")
    topic: str = Field(
        description="What the column tells, as words that end 'This city's data does not "
        "record ...', e.g. 'how each request came in'. {area}, {council_district} and "
        "{police_district} become the city's own words for them."
    )
    values: list[str] | None = Field(
        default=None,
        description="The only values allowed (a vocabulary); the adapter maps raw values onto them.",
    )
    meanings: dict[str, str] = Field(
        default_factory=dict,
        description="For a vocabulary: what each allowed value means, in plain words.",
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


Match = float | str | None


class Placeholder(Frozen):
    """Raw values that stand for 'unknown' and must become missing.

    A row matches when every column listed under `when` and `when_published` holds one
    of its values (null in a list matches a missing value), so a placeholder can depend
    on another column: "this point, only for requests logged at the call centre".
    """

    when: dict[str, list[Match]] = Field(
        default_factory=dict,
        description="Canonical column -> values that mark a placeholder, e.g. "
        "{latitude: [39], longitude: [-77, -76]}.",
    )
    when_published: dict[str, list[Match]] = Field(
        default_factory=dict,
        description="Published column -> values (as written in the file), for conditions on "
        "columns the canonical table does not keep, e.g. {Address: [null]} for a blank address.",
    )
    blank: list[str] = Field(
        min_length=1, description="Canonical columns set to missing in matching rows."
    )
    reason: str = Field(description="Why these values are placeholders, for the data card.")

    @model_validator(mode="after")
    def _has_a_condition(self) -> Placeholder:
        if not self.when and not self.when_published:
            raise ValueError("give `when` or `when_published`: which rows hold the placeholder")
        return self


class Coordinates(Frozen):
    """Map positions published as X/Y in a coordinate reference system, e.g. state-plane feet."""

    x: str = Field(description="Published column of the X value (easting, or longitude).")
    y: str = Field(description="Published column of the Y value (northing, or latitude).")
    crs: str = Field(
        description="The CRS of X/Y as pyproj reads it, e.g. 'EPSG:3435' (Illinois East, US "
        "feet). The canonical table converts them to latitude/longitude (WGS 84) with pyproj."
    )


class Repeats(Frozen):
    """How to keep one row per request when the file publishes a request more than once."""

    key: list[str] = Field(
        min_length=1,
        description="Published column(s) that identify a request, e.g. ['SRNumber'].",
    )
    keep: Literal["first", "last"] = Field(
        description="Which of a request's rows to keep: the first or the last, in file order "
        "or by `order_by`."
    )
    order_by: str | None = Field(
        default=None,
        description="Published column that orders a request's rows (e.g. the last update); "
        "file order when left out.",
    )
    order_format: str | None = Field(
        default=None,
        description="strptime format of `order_by` when it holds dates, or 'ISO8601'; "
        "otherwise it is ordered as numbers when it holds numbers, else as text.",
    )


class Lookup(Frozen):
    """Codes in the file replaced by names: listed here, or read from another pinned file."""

    values: dict[str, str] | None = Field(
        default=None, description="Code -> name, e.g. {'28': 'Near West Side'}."
    )
    dataset: str | None = Field(
        default=None,
        description="'<city>/<dataset>' of another pinned file that lists the codes, e.g. a "
        "boundary file with neighborhood numbers and names.",
    )
    key: str | None = Field(default=None, description="Column of that file holding the code.")
    value: str | None = Field(default=None, description="Column of that file holding the name.")

    @model_validator(mode="after")
    def _one_source(self) -> Lookup:
        from_file = self.dataset is not None
        if from_file == (self.values is not None):
            raise ValueError("give either `values` or `dataset` (with `key` and `value`)")
        if from_file and not (self.key and self.value):
            raise ValueError("a lookup from another dataset needs `key` and `value` columns")
        return self


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
        description="Canonical column -> raw column name (or a ColumnSource). Every canonical "
        "column is either listed here or under `not_published`.",
    )
    not_published: dict[str, str] = Field(
        default_factory=dict,
        description="Canonical column -> why this city's file does not have it, in a sentence "
        "for the data card (e.g. 'The city does not publish how a request came in.'). Only "
        "columns canonical.yml does not require; lessons say plainly the field is not recorded.",
    )
    coordinates: Coordinates | None = Field(
        default=None,
        description="X/Y columns and their CRS, converted to latitude/longitude (then leave "
        "latitude and longitude out of `columns`).",
    )
    repeats: Repeats | None = Field(
        default=None,
        description="When the file publishes a request more than once: which rows are one "
        "request and which to keep. The canonical column published_rows counts them.",
    )
    lookups: dict[str, Lookup] = Field(
        default_factory=dict,
        description="Canonical column -> how to turn its codes into names (e.g. neighborhood "
        "numbers into neighborhood names).",
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
    index_column: bool = Field(
        default=False,
        description="True when the file starts with a column with no name that only numbers "
        "the rows (added by the program that saved it); it is left out.",
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
    url: str | None = Field(
        description="Immutable public URL the file is fetched from; None when the file only "
        "comes from the mirror (e.g. an internal export)."
    )
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


# --- the city's own facts --------------------------------------------------------------


class Words(Frozen):
    """A word for one thing and for many, as the city says it: 'ward' / 'wards'."""

    one: str = Field(min_length=1, description="The word for one, e.g. 'community area'.")
    many: str = Field(min_length=1, description="The word for several, e.g. 'community areas'.")

    def count(self, n: int) -> str:
        """'1 ward', '50 wards'."""
        return f"{n:,} {self.one if n == 1 else self.many}"


class Bounds(Frozen):
    """The city's own extent on the map, in degrees (WGS 84)."""

    south: float = Field(ge=-90, le=90, description="Southernmost latitude of the city.")
    north: float = Field(ge=-90, le=90, description="Northernmost latitude of the city.")
    west: float = Field(ge=-180, le=180, description="Westernmost longitude of the city.")
    east: float = Field(ge=-180, le=180, description="Easternmost longitude of the city.")

    @model_validator(mode="after")
    def _ordered(self) -> Bounds:
        if self.south >= self.north or self.west >= self.east:
            raise ValueError("south must be below north, and west below east")
        return self

    def margin_degrees(self, km: float) -> tuple[float, float]:
        """(latitude, longitude) degrees that make about `km` kilometres here."""
        import math

        middle = math.radians((self.south + self.north) / 2)
        return km / 111.2, km / (111.2 * max(math.cos(middle), 0.01))

    def grown(self, km: float) -> Bounds:
        """The extent with `km` kilometres added on every side."""
        dlat, dlon = self.margin_degrees(km)
        return Bounds(
            south=max(-90.0, self.south - dlat),
            north=min(90.0, self.north + dlat),
            west=max(-180.0, self.west - dlon),
            east=min(180.0, self.east + dlon),
        )


class CityFacts(Frozen):
    """`datasets/<city>/city.yml`: the city's name and how it speaks about its places.

    Every page that names the city or its areas reads it from here, so a city is
    written "St. Louis", never spelt from its folder name.
    """

    name: str = Field(
        min_length=1, description="The city's name as people write it, e.g. 'St. Louis'."
    )
    government: str = Field(
        min_length=1, description="The government that runs the academy, e.g. 'City of St. Louis'."
    )
    areas: Words = Field(
        description="What the city calls the areas in the canonical `neighborhood` column, e.g. "
        "neighborhood, community area, neighborhood council."
    )
    council_districts: Words = Field(
        default=Words(one="council district", many="council districts"),
        description="What the city calls the areas in `council_district`, e.g. ward.",
    )
    police_districts: Words = Field(
        default=Words(one="police district", many="police districts"),
        description="What the city calls the areas in `police_district`, e.g. police zone.",
    )
    bounds: Bounds | None = Field(
        default=None,
        description="The city's extent on the map. Validation rejects a table whose points "
        "lie far outside it, and lessons draw maps and boxes from it (from the points "
        "themselves while it is missing).",
    )
