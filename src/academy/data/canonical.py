"""Canonical tables for the active city, cached as Parquet.

The cache key is the raw file's sha256 plus the hash of the adapter and the table
definition, so editing either (or pulling a new pin) rebuilds the table.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from academy.core.errors import AcademyError
from academy.core.paths import find_root
from academy.data.adapters import AdapterError, adapter_hash, apply_adapter, lookup_table
from academy.data.catalogue import get_dataset, load_canonical, primary_dataset
from academy.data.city import active_city
from academy.data.extent import OUTSIDE_KM
from academy.data.fetch import cache_dir, verified_path
from academy.data.memo import write_atomically
from academy.data.profile import learner_text
from academy.data.reading import read_text, row_locator
from academy.data.spec import OUTSIDE_COLUMN, WITH_PLACEHOLDERS, CanonicalTable, DatasetInfo


def tables_cache_dir() -> Path:
    """Where parsed canonical tables are kept."""
    return cache_dir() / "tables"


def lookup_pins(info: DatasetInfo, root: Path) -> dict[str, str]:
    """Canonical column -> sha256 of the other file its lookup reads (part of the cache key)."""
    assert info.adapter is not None
    return {
        name: get_dataset(lookup.dataset, root).sha256
        for name, lookup in info.adapter.lookups.items()
        if lookup.dataset is not None
    }


def cache_path(
    info: DatasetInfo, table: CanonicalTable, root: Path | None = None, placeholders: bool = False
) -> Path:
    """The Parquet file for this dataset's canonical table at this pin and adapter."""
    assert info.adapter is not None
    root = root or find_root()
    pins = lookup_pins(info, root) if info.adapter.lookups else None
    # outside_city reads the city's bounds
    extent = [_bounds_key(info.city, root), OUTSIDE_KM] if placeholders else None
    key = (
        f"{info.sha256[:16]}-{adapter_hash(info.adapter, table, [pins, placeholders, extent])[:16]}"
    )
    kept = "-with-placeholders" if placeholders else ""
    return (
        tables_cache_dir() / info.city / f"{info.table}{kept}-{Path(info.file).stem}-{key}.parquet"
    )


def load_lookups(info: DatasetInfo, root: Path) -> dict[str, dict[str, str]]:
    """Code tables of the adapter's lookups that read another pinned file."""
    assert info.adapter is not None
    tables = {}
    for name, lookup in info.adapter.lookups.items():
        if lookup.dataset is None or lookup.key is None or lookup.value is None:
            continue
        other = get_dataset(lookup.dataset, root)
        frame = read_text(other, verified_path(other))
        tables[name] = lookup_table(frame, lookup.key, lookup.value, lookup.dataset)
    return tables


def _bounds_key(city: str, root: Path) -> object:
    from academy.core.errors import AcademyError
    from academy.data.city import city_facts

    try:
        bounds = city_facts(city, root).bounds
    except AcademyError:
        return None
    return bounds.model_dump() if bounds else None


def outside_city(frame: pd.DataFrame, city: str, root: Path) -> pd.Series:
    """True where a row's point lies outside the city's extent (its city.yml bounds, with a
    few kilometres to spare for points on the city line)."""
    from academy.data.city import city_facts
    from academy.data.extent import far_outside

    bounds = city_facts(city, root).bounds
    if bounds is None:
        return pd.Series(pd.NA, index=frame.index, dtype="boolean")
    return far_outside(frame["latitude"], frame["longitude"], bounds, OUTSIDE_KM).astype("boolean")


def build_canonical(
    info: DatasetInfo,
    table: CanonicalTable,
    path: Path,
    root: Path | None = None,
    placeholders: bool = False,
) -> pd.DataFrame:
    """Parse the raw file and apply the adapter (no cache); names of people pseudonymised."""
    assert info.adapter is not None
    text = learner_text(info, path)
    try:
        lookups = load_lookups(info, root or find_root())
        return apply_adapter(
            text,
            info.adapter,
            table,
            lookups,
            row_locator(info, path, len(text)),
            keep_placeholders=placeholders,
        )
    except AdapterError as exc:
        raise AcademyError(
            f"{info.package_path}: the {info.city} adapter for {info.table!r} does not fit "
            f"{info.file}: {exc}; fix the adapter (`academy validate` lists every problem)"
        ) from exc


def canonical_table(info: DatasetInfo, root: Path, placeholders: bool = False) -> pd.DataFrame:
    """The canonical table from one dataset, from the cache when it is current."""
    if info.adapter is None or info.table is None:
        raise AcademyError(
            f"{info.id}: this file has no adapter to a canonical table; use raw({info.id!r})"
        )
    definition = load_canonical(root).tables.get(info.table)
    if definition is None:
        raise AcademyError(
            f"{info.package_path}: adapter names table {info.table!r}, which "
            "datasets/canonical.yml does not define; fix the name or define the table"
        )
    path = verified_path(info)
    cached = cache_path(info, definition, root, placeholders)
    if cached.is_file():
        try:
            return pd.read_parquet(cached)
        except (OSError, ValueError):
            pass  # a broken cache file is rebuilt below
    frame = build_canonical(info, definition, path, root, placeholders)
    if placeholders and "latitude" in frame.columns:
        frame[OUTSIDE_COLUMN] = outside_city(frame, info.city, root)
    write_atomically(cached, lambda tmp: frame.to_parquet(tmp, index=False))
    return frame


def table(
    name: str, city: str | None = None, root: Path | None = None, dataset: str | None = None
) -> pd.DataFrame:
    """The canonical table `name` (e.g. "service_requests") for the active city (or `city`).

    `dataset` picks another file that maps to the same table, e.g. an older snapshot.
    A name ending in ".with_placeholders" keeps placeholder values and marks them.
    """
    root = root or find_root()
    placeholders = name.endswith(WITH_PLACEHOLDERS)
    name = name.removesuffix(WITH_PLACEHOLDERS)
    if dataset is not None:
        info = get_dataset(dataset, root)
        if info.table != name:
            raise AcademyError(
                f"{dataset}: this file maps to {info.table or 'no canonical table'}, not {name!r}; "
                "pick a dataset whose adapter names that table"
            )
        return canonical_table(info, root, placeholders)
    return canonical_table(
        primary_dataset(name, city or active_city(root), root), root, placeholders
    )
