"""What datasets/ holds, read without raising: for checks that must go on past a broken file.

`academy validate` reports a broken datapackage.json or canonical.yml once (see
`academy.data.validation`); the checks that only refer to datasets use this inventory to
tell "no such dataset" from "a dataset whose file could not be read", so one mistake is
never reported again as unresolved references.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from academy.core.errors import AcademyError
from academy.data.catalogue import dataset_id_of, load_canonical, load_dataset, package_paths
from academy.data.spec import (
    OUTSIDE_COLUMN,
    PLACEHOLDER_COLUMN,
    WITH_PLACEHOLDERS,
    CanonicalFile,
    DatasetInfo,
)


@dataclass(frozen=True)
class Inventory:
    """Every dataset package under datasets/, those that could be read, and canonical.yml."""

    ids: frozenset[str]  # every datasets/<city>/<dataset>/ with a datapackage.json
    infos: dict[str, DatasetInfo]  # the packages that could be read, by id
    canonical: CanonicalFile | None  # None when datasets/canonical.yml could not be read

    @property
    def cities(self) -> set[str]:
        return {dataset_id.split("/")[0] for dataset_id in self.ids}

    def complete(self, city: str) -> bool:
        """Whether every package of `city` could be read (so its tables are known)."""
        return all(i in self.infos for i in self.ids if i.split("/")[0] == city)

    def tables(self, city: str) -> set[str]:
        """The canonical tables `city` provides (its primary adapters), each also as
        '<table>.with_placeholders'."""
        names = {
            info.adapter.table
            for info in self.infos.values()
            if info.city == city and info.adapter is not None and info.adapter.primary
        }
        return names | {n + WITH_PLACEHOLDERS for n in names}

    def canonical_columns(self) -> dict[str, list[str]]:
        """Canonical table -> its columns, from canonical.yml (empty when unreadable); each
        table also as '<table>.with_placeholders', with its `placeholder` (and `outside_city`) columns."""
        if self.canonical is None:
            return {}
        columns = {name: [f.name for f in t.fields] for name, t in self.canonical.tables.items()}
        kept = {
            n + WITH_PLACEHOLDERS: [
                *c,
                PLACEHOLDER_COLUMN,
                *([OUTSIDE_COLUMN] if "latitude" in c else []),
            ]
            for n, c in columns.items()
        }
        return columns | kept


def read_inventory(root: Path) -> Inventory:
    """The inventory of datasets/ under `root`; never raises on bad content."""
    ids, infos = set(), {}
    for path in package_paths(root):
        ids.add(dataset_id_of(path))
        try:
            info = load_dataset(path, root)
        except AcademyError:
            continue
        infos[info.id] = info
    try:
        canonical: CanonicalFile | None = load_canonical(root)
    except AcademyError:
        canonical = None
    return Inventory(frozenset(ids), infos, canonical)
