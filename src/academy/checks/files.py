"""Rules reported while the academy's files are read (in `academy.core` and
`academy.curriculum`): a file that is missing, is not valid YAML or JSON, or does not match
its format. The file formats themselves are listed in `academy.checks.formats`."""

from __future__ import annotations

from academy.checks.rule import Rule
from academy.core.schema import SCHEMA as SCHEMA_ID

YAML_SYNTAX = Rule(
    "yaml-syntax",
    "Every YAML file (and the front matter of every Markdown lesson) is valid YAML.",
)
MISSING_FILE = Rule("missing-file", "Every file the academy needs exists.")
SCHEMA = Rule(
    SCHEMA_ID,
    "Every curriculum, lesson, exercise, hints and click-through file matches its format: "
    "no unknown keys, every required key, values of the right type and range "
    "(see the formats above).",
)
NOTEBOOK_JSON = Rule("notebook-json", "Every lesson and exercise notebook is valid JSON.")
