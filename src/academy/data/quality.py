"""Find a dataset's known quality problems in its file, so profiles can say how many."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from academy.data.spec import DatasetInfo, QualityCheck, QualityProblem

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class QualityResult:
    """A known problem and what its check found in the file (None: no rule, or not checkable here)."""

    problem: QualityProblem
    count: int | None
    unit: str
    examples: tuple[str, ...] = ()

    @property
    def found(self) -> bool | None:
        return None if self.count is None else self.count > 0


# dataset id -> (its info, its text table or None when its file is not available)
ReferenceLoader = Callable[[str], tuple[DatasetInfo, pd.DataFrame | None]]


def _rows(mask: pd.Series) -> int:
    return int(mask.fillna(False).astype(bool).sum())


def run_check(
    check: QualityCheck,
    info: DatasetInfo,
    text: pd.DataFrame,
    path: Path,
    reference: tuple[DatasetInfo, pd.DataFrame | None] | None = None,
) -> tuple[int | None, str, tuple[str, ...]]:
    """(how many, of what, a few examples) for one check on the text table of the file."""
    kind = check.kind
    if kind == "equals":
        mask = pd.Series(True, index=text.index)
        for column, value in (check.values or {}).items():
            mask &= text[column].str.strip().eq(value).fillna(False)
        return _rows(mask), "rows", ()
    if kind == "missing":
        return _rows(text[check.column].isna()), "rows", ()
    if kind == "matches":
        pattern = re.compile(check.pattern or "")  # may have groups: only a match matters
        mask = text[check.column].map(lambda v: isinstance(v, str) and bool(pattern.search(v)))
        examples = tuple(text.loc[mask, check.column].drop_duplicates().head(3))
        return _rows(mask), "rows", examples
    if kind == "duplicates":
        return _rows(text.duplicated(subset=check.columns, keep=False)), "rows", ()
    if kind == "header_whitespace":
        odd = [c for c in text.columns if c != c.strip()]
        return len(odd), "column names", tuple(repr(c) for c in odd)
    if kind == "bom":
        with path.open("rb") as handle:
            return int(handle.read(3) == BOM), "file", ()
    if kind == "cr_line_endings":
        data = path.read_bytes()
        return data.count(b"\r") - data.count(b"\r\n"), "line endings", ()
    if reference is None:
        return None, "rows", ()
    ref_info, ref_text = reference
    if kind == "column_renamed":
        ref_columns = {f.name for f in ref_info.fields}
        renamed = check.column not in ref_columns and check.reference_column in ref_columns
        return int(renamed), "column", (f"{check.column} -> {check.reference_column}",)
    if kind == "not_in" and ref_text is not None:
        known = set(ref_text[check.reference_column].dropna())
        values = text[check.column]
        mask = values.notna() & ~values.isin(known)
        return _rows(mask), "rows", tuple(sorted(set(values[mask]))[:5])
    return None, "rows", ()


def quality_results(
    info: DatasetInfo,
    text: pd.DataFrame,
    path: Path,
    load_reference: ReferenceLoader,
) -> list[QualityResult]:
    """Every known problem of the dataset with what its check finds."""
    results = []
    for problem in info.meta.quality:
        check = problem.check
        if check is None:
            results.append(QualityResult(problem, None, ""))
            continue
        reference = load_reference(check.reference) if check.reference else None
        count, unit, examples = run_check(check, info, text, path, reference)
        results.append(QualityResult(problem, count, unit, examples))
    return results
