"""City datasets: catalogue, pinned files, raw tables and canonical tables.

    from academy.data import table, raw
    requests = table("service_requests")          # canonical, for the active city
    salaries = raw("baltimore/employee-salaries-fy2019")  # as published, names pseudonymised

Names are imported on first use, so `import academy.data` stays cheap and reads no data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from academy.core.lazy import lazy_exports

_EXPORTS = {
    "table": "academy.data.canonical",
    "raw": "academy.data.published",
    "dataset_path": "academy.data.fetch",
    "active_city": "academy.data.city",
    "configured_city": "academy.data.city",
    "list_datasets": "academy.data.catalogue",
    "get_dataset": "academy.data.catalogue",
    "canonical_tables": "academy.data.catalogue",
    "load_canonical": "academy.data.catalogue",
    "validate_datasets": "academy.data.validation",
    "profile_dataset": "academy.data.profile",
    "pseudonym": "academy.data.pseudonym",
    "DatasetInfo": "academy.data.spec",
}

__all__ = [
    "DatasetInfo",
    "active_city",
    "canonical_tables",
    "configured_city",
    "dataset_path",
    "get_dataset",
    "list_datasets",
    "load_canonical",
    "profile_dataset",
    "pseudonym",
    "raw",
    "table",
    "validate_datasets",
]

if TYPE_CHECKING:
    from academy.data.canonical import table
    from academy.data.catalogue import canonical_tables, get_dataset, list_datasets, load_canonical
    from academy.data.city import active_city, configured_city
    from academy.data.fetch import dataset_path
    from academy.data.profile import profile_dataset
    from academy.data.pseudonym import pseudonym
    from academy.data.published import raw
    from academy.data.spec import DatasetInfo
    from academy.data.validation import validate_datasets


__getattr__ = lazy_exports(__name__, _EXPORTS)
