"""Profile a dataset: rows, columns, types, missing values and its known problems, counted."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from academy.core.paths import find_root
from academy.data.catalogue import get_dataset
from academy.data.fetch import check_file, verified_path
from academy.data.pseudonym import pseudonymise_columns
from academy.data.quality import QualityResult, quality_results
from academy.data.reading import read_text, typed
from academy.data.spec import DatasetInfo


@dataclass(frozen=True)
class ColumnProfile:
    """One column of a published file."""

    name: str
    schema_type: str
    dtype: str
    missing: int
    distinct: int
    example: str
    description: str


@dataclass(frozen=True)
class DatasetProfile:
    """What `academy data profile` shows."""

    info: DatasetInfo
    path: Path
    rows: int
    columns: tuple[ColumnProfile, ...]
    quality: tuple[QualityResult, ...]


def learner_text(info: DatasetInfo, path: Path) -> pd.DataFrame:
    """The file as text, with names pseudonymised when the dataset names people."""
    text = read_text(info, path)
    rule = info.meta.pseudonymise
    return pseudonymise_columns(text, rule.columns, rule.prefix, rule.salt) if rule else text


def _reference_loader(root: Path):
    def load(dataset_id: str) -> tuple[DatasetInfo, pd.DataFrame | None]:
        ref = get_dataset(dataset_id, root)
        state = check_file(ref)
        if state.status != "ok" or state.path is None:
            return ref, None
        return ref, read_text(ref, state.path)

    return load


def profile_info(info: DatasetInfo, root: Path, text: pd.DataFrame | None = None) -> DatasetProfile:
    """Profile of a dataset already looked up; `text` is its `learner_text` if already read."""
    path = verified_path(info)
    if text is None:
        text = learner_text(info, path)
    frame = typed(info, text)
    schema = {f.name: f for f in info.fields}
    columns = []
    for name in frame.columns:
        values = frame[name]
        present = values.dropna()
        field = schema.get(name)
        columns.append(
            ColumnProfile(
                name=name,
                schema_type=field.type if field else "?",
                dtype=str(values.dtype),
                missing=int(values.isna().sum()),
                distinct=int(present.nunique()),
                example=str(present.iloc[0]) if len(present) else "",
                description=field.description if field else "",
            )
        )
    quality = quality_results(info, text, path, _reference_loader(root))
    return DatasetProfile(info, path, len(frame), tuple(columns), tuple(quality))


def profile_dataset(dataset_id: str, root: Path | None = None) -> DatasetProfile:
    """Profile of the dataset's verified local file, e.g. profile_dataset("pittsburgh/neighborhoods")."""
    root = root or find_root()
    return profile_info(get_dataset(dataset_id, root), root)
