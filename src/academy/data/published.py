"""A dataset's file as published, typed by its Table Schema."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from academy.core.paths import find_root
from academy.data.catalogue import get_dataset
from academy.data.fetch import verified_path
from academy.data.profile import learner_text
from academy.data.reading import read_text, typed


def raw(dataset_id: str, root: Path | None = None, pseudonymise: bool = True) -> pd.DataFrame:
    """The file as published (column names, values and problems kept), e.g. raw("baltimore/vacant-buildings-2019").

    Integer and number columns are typed as the datapackage's Table Schema says; everything
    else stays text. Files that name people (the salary files) show stable pseudonyms
    instead of names unless `pseudonymise=False`, which only lessons about public records use.
    """
    info = get_dataset(dataset_id, root or find_root())
    path = verified_path(info)
    return typed(info, learner_text(info, path) if pseudonymise else read_text(info, path))
