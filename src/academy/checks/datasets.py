"""Datasets: every datapackage.json, its city adapter, canonical.yml and the data cards.

The logic lives beside the data code, in `academy.data.validation`; the rules it reports
are registered here, once, with what each requires.
"""

from __future__ import annotations

from academy.checks.rule import Context, Rule, check
from academy.core.findings import Finding

DATAPACKAGE_JSON = Rule("datapackage-json", "Every datapackage.json is valid JSON.")
DATAPACKAGE_SCHEMA = Rule(
    "datapackage-schema",
    "Every datapackage.json is a Frictionless Data Package with one resource, pinned (sha256, "
    "bytes, and an https source when it can be downloaded), with a Table Schema and the "
    "academy's own keys.",
)
DRAFT_UNCONFIRMED = Rule(
    "draft-unconfirmed",
    'No proposal of `academy data init` is left marked "to_confirm" (in datapackage.json '
    "or city.yml): each is checked, then its mark deleted.",
)
DATASET_PIN_MISMATCH = Rule(
    "dataset-pin-mismatch",
    "When the data file is present, its size and sha256 are those pinned (the finding shows "
    "both hashes in full and says whether the pin or the file is the one to fix).",
)
CITY_FACTS_MISSING = Rule(
    "city-facts-missing",
    "Every city with datasets has datasets/<city>/city.yml: its name, what it calls its "
    "areas, and its extent.",
)
CITY_FACTS_SCHEMA = Rule("city-facts-schema", "Every city.yml has the format of the city's facts.")
CITY_FACTS_BOUNDS = Rule(
    "city-facts-bounds",
    "A city whose tables have map points gives its extent (bounds) in city.yml (a warning).",
    severity="warning",
)
CANONICAL_SCHEMA = Rule(
    "canonical-schema", "datasets/canonical.yml defines the canonical tables in its format."
)
ADAPTER_UNKNOWN_TABLE = Rule(
    "adapter-unknown-table", "A city adapter names a table that canonical.yml defines."
)
ADAPTER_MISSING_FIELD = Rule(
    "adapter-missing-field",
    "A city adapter maps every column of its canonical table, or declares it under "
    "`not_published` with the reason (never a required one).",
)
ADAPTER_COORDINATES = Rule(
    "adapter-coordinates",
    "X/Y columns exist and name a CRS pyproj knows; latitude lies within -90..90 and "
    "longitude within -180..180 (the finding names the file line of the first that does not).",
)
ADAPTER_COORDINATES_OUTSIDE_CITY = Rule(
    "adapter-coordinates-outside-city",
    "When the data file is present, no more than 5% of its located rows lie more than 25 km "
    "outside the city's extent in city.yml (more means the mapping or the CRS is wrong).",
)
ADAPTER_POINTS_OUTSIDE_CITY = Rule(
    "adapter-points-outside-city",
    "No more than 0.5% of the located rows lie far outside the city (a warning: they are "
    "placeholders to declare, or real places outside the city the lessons can use).",
    severity="warning",
)
ADAPTER_REPEATS = Rule("adapter-repeats", "The repeats rule reads only columns the file has.")
ADAPTER_LOOKUP = Rule(
    "adapter-lookup",
    "A lookup is for a mapped column, names a dataset and columns that exist, and knows "
    "every code in the file.",
)
ADAPTER_UNKNOWN_FIELD = Rule(
    "adapter-unknown-field", "A city adapter maps only columns its canonical table has."
)
ADAPTER_UNKNOWN_COLUMN = Rule(
    "adapter-unknown-column",
    "A city adapter reads only raw columns the Table Schema (and the file's header) has.",
)
ADAPTER_DATE_FORMAT = Rule(
    "adapter-date-format",
    "Every datetime column has a date format in the adapter, and only datetime columns do.",
)
ADAPTER_VOCABULARY = Rule(
    "adapter-vocabulary",
    "A column with allowed values has a vocabulary that maps every raw value in the file to "
    "one of them.",
)
ADAPTER_PLACEHOLDER = Rule(
    "adapter-placeholder", "A placeholder rule names only columns the adapter maps."
)
ADAPTER_PATTERN = Rule(
    "adapter-pattern", "An adapter's regular expression compiles and has exactly one group."
)
ADAPTER_PRIMARY = Rule(
    "adapter-primary", "A city has at most one primary adapter for each canonical table."
)
ADAPTER_DOES_NOT_FIT = Rule(
    "adapter-does-not-fit",
    "When the data file is present, the adapter turns it into the canonical table.",
)
SCHEMA_HEADER_MISMATCH = Rule(
    "schema-header-mismatch",
    "When the data file is present, its columns are those of the Table Schema, in order.",
)
QUALITY_CHECK_COLUMN = Rule(
    "quality-check-column", "A known-quality-problem check names only columns the file has."
)
DATASET_FILE_COMMITTED = Rule(
    "dataset-file-committed",
    "No data file sits under datasets/ (datapackage.json pins it; `academy data pull` fetches it).",
)
DATASET_CARD_STALE = Rule(
    "dataset-card-stale",
    "Every dataset's README.md card is what `academy data cards` writes (a warning).",
    severity="warning",
)


@check(
    DATAPACKAGE_JSON,
    DATAPACKAGE_SCHEMA,
    DRAFT_UNCONFIRMED,
    DATASET_PIN_MISMATCH,
    CITY_FACTS_MISSING,
    CITY_FACTS_SCHEMA,
    CITY_FACTS_BOUNDS,
    CANONICAL_SCHEMA,
    ADAPTER_UNKNOWN_TABLE,
    ADAPTER_MISSING_FIELD,
    ADAPTER_COORDINATES,
    ADAPTER_COORDINATES_OUTSIDE_CITY,
    ADAPTER_POINTS_OUTSIDE_CITY,
    ADAPTER_REPEATS,
    ADAPTER_LOOKUP,
    ADAPTER_UNKNOWN_FIELD,
    ADAPTER_UNKNOWN_COLUMN,
    ADAPTER_DATE_FORMAT,
    ADAPTER_VOCABULARY,
    ADAPTER_PLACEHOLDER,
    ADAPTER_PATTERN,
    ADAPTER_PRIMARY,
    ADAPTER_DOES_NOT_FIT,
    SCHEMA_HEADER_MISMATCH,
    QUALITY_CHECK_COLUMN,
    DATASET_FILE_COMMITTED,
    DATASET_CARD_STALE,
)
def datasets(ctx: Context) -> list[Finding]:
    from academy.data.validation import validate_datasets

    return validate_datasets(ctx.cur.root)
