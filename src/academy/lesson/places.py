"""The city's area outlines, for lessons and exercises about maps and places.

In a lesson::

    from academy.lesson.places import boundaries, boundary_source
    source = boundary_source()      # whose outlines, and whether they are another city's
    areas = boundaries()            # a GeoDataFrame: the canonical area_boundaries + shapes

A city describes its boundary file like any other (an adapter to the canonical table
`area_boundaries`: the area's name, number and published size). The shapes come from the
same file, read with geopandas, in the same order as the table's rows. A city that has
published no boundary file gets the outlines of a city that has, and the lesson says so
with `BoundarySource.fallback`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from academy.core.errors import AcademyError
from academy.core.paths import find_root
from academy.data.catalogue import list_datasets
from academy.data.city import active_city, city_facts
from academy.data.spec import DatasetInfo

if TYPE_CHECKING:
    import geopandas as gpd

TABLE = "area_boundaries"
SQUARE_METRES_PER_SQUARE_MILE = 2_589_988.110336


@dataclass(frozen=True)
class BoundarySource:
    """Whose area outlines a lesson uses for the active city."""

    dataset: DatasetInfo
    city: str  # the active city
    name: str  # the active city's name as people write it
    owner_name: str  # the name of the city whose outlines these are

    @property
    def fallback(self) -> bool:
        """True when the active city published no outlines and these are another city's."""
        return self.dataset.city != self.city


def _with_boundaries(root: Path) -> list[DatasetInfo]:
    return [
        d
        for d in list_datasets(root)
        if d.table == TABLE and d.adapter is not None and d.adapter.primary
    ]


def boundary_source(city: str | None = None, root: Path | None = None) -> BoundarySource:
    """The active city's own boundary file, or else the first city's that has one."""
    root = root or find_root()
    city = city or active_city(root)
    found = _with_boundaries(root)
    if not found:
        raise AcademyError(
            f"{root / 'datasets'}: no city publishes a boundary file (a dataset whose adapter "
            f"maps to {TABLE}); add one, see the data guide"
        )
    own = [d for d in found if d.city == city]
    chosen = own[0] if own else sorted(found, key=lambda d: d.id)[0]
    return BoundarySource(
        dataset=chosen,
        city=city,
        name=city_facts(city, root).name,
        owner_name=city_facts(chosen.city, root).name,
    )


def boundaries(source: BoundarySource | None = None, root: Path | None = None) -> gpd.GeoDataFrame:
    """The area outlines as a GeoDataFrame: one row per area, columns of the canonical
    `area_boundaries` table plus `geometry` (latitude/longitude, EPSG:4326)."""
    import geopandas as gpd

    from academy.data.canonical import canonical_table
    from academy.data.fetch import verified_path

    root = root or find_root()
    source = source or boundary_source(root=root)
    frame = canonical_table(source.dataset, root)
    shapes = gpd.read_file(verified_path(source.dataset))
    if len(shapes) != len(frame):
        raise AcademyError(
            f"{source.dataset.package_path}: the file has {len(shapes)} shapes but its table "
            f"{len(frame)} rows; an adapter for {TABLE} must keep every feature"
        )
    areas = gpd.GeoDataFrame(frame, geometry=shapes.geometry.to_numpy(), crs=shapes.crs)
    return areas.to_crs("EPSG:4326") if areas.crs is not None else areas.set_crs("EPSG:4326")
