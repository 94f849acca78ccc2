"""`academy data init FILE --city ID --dataset NAME`: draft a datapackage.json from the file.

The draft is a Frictionless Data Package with the academy's keys, made from the file
itself: its size and sha256, encoding and byte-order mark, a blank leading index column,
the Table Schema (inferred with frictionless), and, when the file looks like a canonical
table, an adapter: a column proposed for every canonical column (or a reason it is not
published), date formats, a status vocabulary, X/Y and their CRS, repeated rows and
shared placeholder points. For a city the academy does not know yet it also drafts
datasets/<city>/city.yml. Every proposal carries a `to_confirm` mark (see
`academy.data.drafts`), so the team edits a draft instead of writing JSON from nothing,
and `academy validate` refuses the draft, line by line, until each mark is gone.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from academy.core.errors import AcademyError
from academy.core.findings import rel
from academy.core.paths import find_root
from academy.data.catalogue import PACKAGE_FILE, datasets_dir, load_canonical
from academy.data.city import FACTS_FILE, facts_path, read_facts
from academy.data.drafts import CONFIRM_KEY
from academy.data.propose import (
    PointGuess,
    Proposals,
    area_words,
    duplicate_vocabulary,
    propose,
    shared_points,
    status_vocabulary,
)
from academy.data.sniff import FileFacts, sniff
from academy.data.spec import Bounds, CanonicalTable, CityFacts

ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MEDIATYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
}


@dataclass
class Draft:
    """What `academy data init` wrote, and what the team has to check."""

    package_path: Path
    city_path: Path | None  # a new city.yml, when the city had none
    data_path: Path  # where the academy will read the file from
    marks: int
    table: str | None
    notes: list[str] = field(default_factory=list)


def _marked(note: str, **values: Any) -> dict[str, Any]:
    """A proposal object with its mark first (so deleting the mark's line leaves valid JSON)."""
    return {CONFIRM_KEY: note, **values}


def _column_note(name: str, why: str) -> str:
    return f"{why} Check that {name} really comes from this column."


def _describe(facts: FileFacts, column: str) -> str:
    values = facts.text[column].dropna()
    if values.empty:
        return "Empty in every row of this file."
    kind = {"integer": "Whole numbers", "number": "Numbers"}.get(facts.types[column], "Text")
    if column in facts.dates:
        kind = f"Dates written {facts.dates[column].format}"
    example = str(values.iloc[0])[:40]
    missing = int(facts.text[column].isna().sum())
    blanks = f", empty in {missing:,} rows" if missing else ""
    return f"{kind}; {values.nunique():,} different values{blanks}, e.g. {example!r}."


def _schema(facts: FileFacts) -> dict[str, Any]:
    fields = []
    for column in facts.text.columns:
        entry: dict[str, Any] = {"name": column, "type": facts.types[column]}
        if column in facts.dates:
            entry["type"] = "datetime"  # the academy reads it as text; the adapter parses it
            if facts.dates[column].format != "ISO8601":
                entry["format"] = facts.dates[column].format
        entry["description"] = _describe(facts, column)
        fields.append(entry)
    return _marked(
        "each field's description was written from its values; replace it with what the "
        "column means, in words a learner can read (the data dictionary helps).",
        fields=fields,
        missingValues=[""],
    )


def _city_timezone(bounds: Bounds | None) -> str:
    """A first guess at a North American city's time zone from its longitude."""
    if bounds is None:
        return "UTC"
    middle = (bounds.west + bounds.east) / 2
    for limit, zone in (
        (-114.5, "America/Los_Angeles"),
        (-101.0, "America/Denver"),
        (-86.5, "America/Chicago"),
    ):
        if middle < limit:
            return zone
    return "America/New_York"


def guess_crs(x: pd.Series, y: pd.Series, bounds: Bounds) -> tuple[str, str, float] | None:
    """(EPSG code, name, share inside the city) of the projected CRS that puts X/Y in the city."""
    from pyproj import Transformer
    from pyproj.aoi import AreaOfInterest
    from pyproj.database import query_crs_info
    from pyproj.enums import PJType

    both = pd.DataFrame(
        {"x": pd.to_numeric(x, errors="coerce"), "y": pd.to_numeric(y, errors="coerce")}
    )
    sample = both.dropna().sample(n=min(300, len(both.dropna())), random_state=1)
    if sample.empty:
        return None
    area = AreaOfInterest(bounds.west, bounds.south, bounds.east, bounds.north)
    box = bounds.grown(5)
    best: tuple[float, int, int, str, str] | None = None
    for info in query_crs_info(
        auth_name="EPSG", pj_types=PJType.PROJECTED_CRS, area_of_interest=area
    ):
        try:
            transformer = Transformer.from_crs(f"EPSG:{info.code}", "EPSG:4326", always_xy=True)
            lon, lat = transformer.transform(sample["x"].to_numpy(), sample["y"].to_numpy())
        except Exception:
            continue
        inside = float(
            ((lat >= box.south) & (lat <= box.north) & (lon >= box.west) & (lon <= box.east)).mean()
        )
        plain = 0 if info.name.startswith("NAD83 /") else 1
        rank = (-inside, plain, int(info.code), f"EPSG:{info.code}", info.name)
        if best is None or rank < best:
            best = rank
    if best is None or -best[0] < 0.9:
        return None
    return best[3], best[4], -best[0]


def _bounds_from(latitude: pd.Series, longitude: pd.Series) -> Bounds | None:
    lat, lon = latitude.dropna(), longitude.dropna()
    if len(lat) < 10:
        return None
    south, north = lat.quantile([0.01, 0.99])
    west, east = lon.quantile([0.01, 0.99])
    return Bounds(
        south=round(float(south), 3),
        north=round(float(north), 3),
        west=round(float(west), 3),
        east=round(float(east), 3),
    )


def _degrees(facts: FileFacts, column: str) -> pd.Series:
    return pd.to_numeric(facts.text[column], errors="coerce")


def _adapter(
    facts: FileFacts,
    found: Proposals,
    table: CanonicalTable,
    city: CityFacts | None,
    notes: list[str],
) -> tuple[dict[str, Any], Bounds | None]:
    """The drafted adapter, and the extent its points suggest (for a new city.yml)."""
    columns: dict[str, Any] = {}
    not_published: dict[str, Any] = {}
    dates: dict[str, Any] = {}
    vocabularies: dict[str, Any] = {}
    adapter: dict[str, Any] = {"table": found.table}
    for f in table.fields:
        if f.computed or (found.coordinates and f.name in ("latitude", "longitude")):
            continue
        proposal = found.columns.get(f.name)
        if proposal is None:
            not_published[f.name] = _marked(
                f"no column of the file looked like {f.topic}; if one does, map it under "
                '"columns" and remove this entry.',
                reason=f"This file does not record {f.topic}.",
            )
            continue
        columns[f.name] = _marked(_column_note(f.name, proposal.why), column=proposal.column)
        guess = facts.dates.get(proposal.column)
        if f.type == "datetime" and guess is not None:
            spec: dict[str, Any] = {"format": guess.format}
            note = f"{proposal.column} is written {guess.format}; check a few values."
            if guess.has_offset:
                spec["timezone"] = _city_timezone(city.bounds if city else None)
                note += (
                    " Its times carry a UTC offset, so they are turned into local time in "
                    f"{spec['timezone']}: name the city's own time zone."
                )
            dates[f.name] = _marked(note, **spec)
    status = found.columns.get("status")
    if status is not None:
        vocabulary, unsure = status_vocabulary(facts.text[status.column])
        note = (
            "each raw status was matched to open, closed, cancelled or referred from its "
            "words; check every line (see the meanings in datasets/canonical.yml)."
        )
        if unsure:
            shown = ", ".join(repr(v) for v in unsure)
            note += (
                f" The words of {shown} say nothing about where a request stands, so they were "
                "set to open: look them up in the city's data dictionary."
            )
            notes.append(f"status values {shown} need the data dictionary")
        vocabularies["status"] = _marked(note, **vocabulary)
        if "duplicate" not in columns:
            marks = duplicate_vocabulary(facts.text[status.column])
            if marks is not None:
                columns["duplicate"] = _marked(
                    f"some statuses say 'duplicate', so the duplicate flag is read from "
                    f"{status.column}; check it.",
                    column=status.column,
                )
                vocabularies["duplicate"] = marks
                not_published.pop("duplicate", None)
    adapter["columns"] = columns
    for name in ("duplicate",):
        if name in columns:
            not_published.pop(name, None)
    if not_published:
        adapter["not_published"] = {k: v["reason"] for k, v in not_published.items()}
        adapter["not_published"] = _marked(
            "these canonical columns were not found in the file: for each, check the file "
            "really has no such column and that the sentence says why, for the data card. "
            + " ".join(f"{k}: {v[CONFIRM_KEY]}" for k, v in not_published.items()),
            **{k: v["reason"] for k, v in not_published.items()},
        )
    bounds = None
    if found.coordinates is not None:
        x, y = found.coordinates
        known = city.bounds if city else None
        crs = guess_crs(facts.text[x], facts.text[y], known) if known else None
        if crs is not None:
            code, name, share = crs
            adapter["coordinates"] = _marked(
                f"{x}/{y} are not degrees; with {code} ({name}) {share:.0%} of them land in "
                "the city. Other versions of the same system fit as well: ask your GIS team "
                "which one the city uses.",
                x=x,
                y=y,
                crs=code,
            )
        else:
            adapter.setdefault("not_published", {})
            reason = f"The file gives map positions only as {x}/{y} in a projected system."
            adapter["not_published"] = {
                **adapter["not_published"],
                "latitude": reason,
                "longitude": reason,
            }
            notes.append(
                f"{x}/{y} look like projected coordinates (feet or metres): name their CRS "
                'under "coordinates" (e.g. {"x": "%s", "y": "%s", "crs": "EPSG:2248"}) to put '
                "the requests on the map" % (x, y)
            )
    if dates:
        adapter["dates"] = dates
    if vocabularies:
        adapter["vocabularies"] = vocabularies
    request_id = found.columns.get("request_id")
    if request_id is not None and facts.text[request_id.column].duplicated().any():
        repeated = int(facts.text[request_id.column].duplicated().sum())
        order = next(
            (
                c
                for c in facts.text.columns
                if re.search(r"updat|modif|last", c, re.I) and c in facts.dates
            ),
            None,
        )
        spec = {"key": [request_id.column], "keep": "last"}
        if order:
            spec.update({"order_by": order, "order_format": facts.dates[order].format})
        adapter["repeats"] = _marked(
            f"{repeated:,} rows repeat the {request_id.column} of an earlier row: the table "
            f"keeps one row per request ({'the latest by ' + order if order else 'the last in the file'}). "
            "Check that a repeated number really is the same request.",
            **spec,
        )
    lat, lon = columns.get("latitude"), columns.get("longitude")
    if lat and lon:
        latitude, longitude = _degrees(facts, lat["column"]), _degrees(facts, lon["column"])
        points = shared_points(latitude, longitude)
        if points:
            adapter["placeholders"] = [_placeholder(point) for point in points]
        bounds = _bounds_from(latitude, longitude)
    return adapter, bounds


def _placeholder(point: PointGuess) -> dict[str, Any]:
    """A marked placeholder rule that blanks one shared map point."""
    return _marked(
        f"{point.rows:,} rows ({point.share:.0%} of those with a position) share "
        f"the exact point {point.latitude:g}, {point.longitude:g}: usually a default "
        "point (a call centre, a city hall, 0/0). If it is a real place with many "
        "requests, delete this rule; if it is a default only for some rows, add "
        '"when_published" (e.g. the address or the request type).',
        when={"latitude": [point.latitude], "longitude": [point.longitude]},
        blank=["latitude", "longitude"],
        reason=f"Requests sit at exactly {point.latitude:g}, {point.longitude:g}, "
        "a default point, not where the problem is.",
    )


def _chart(facts: FileFacts, found: Proposals) -> dict[str, Any]:
    column = found.columns["request_type"].column if "request_type" in found.columns else None
    if column is None:
        categorical = [
            c
            for c in facts.text.columns
            if facts.types[c] == "string" and 2 <= facts.text[c].nunique() <= 200
        ]
        column = categorical[0] if categorical else None
    if column is None:
        return {"kind": "missing", "title": "Empty cells in each column"}
    return {
        "kind": "top_values",
        "column": column,
        "title": f"Rows per {column} (the 10 most common)",
    }


def _quality(facts: FileFacts) -> list[dict[str, Any]]:
    problems = []
    empty = [c for c in facts.text.columns if facts.text[c].isna().all()]
    if empty:
        problems.append(
            _marked(
                "found by `academy data init`: these columns hold nothing; say why if you know.",
                id="empty-columns",
                title="Columns that are always empty",
                detail=f"{', '.join(empty)} {'is' if len(empty) == 1 else 'are'} empty in every row of this file.",
                check={"kind": "missing", "column": empty[0]},
            )
        )
    if facts.bom:
        problems.append(
            _marked(
                "found by `academy data init`.",
                id="byte-order-mark",
                title="The file starts with a byte-order mark",
                detail="The first bytes of the file are a UTF-8 byte-order mark. Read it with "
                "encoding 'utf-8-sig', or the first column's name starts with an invisible character.",
                check={"kind": "bom"},
            )
        )
    return problems


def draft_package(
    facts: FileFacts, city: str, dataset: str, root: Path, url: str | None = None
) -> tuple[dict[str, Any], dict[str, Any] | None, str | None, list[str]]:
    """(datapackage dict, city.yml data or None, canonical table or None, notes)."""
    tables = load_canonical(root).tables
    found = propose(facts, tables)
    notes: list[str] = []
    known_facts, _ = read_facts(facts_path(city, root))
    resource_academy: dict[str, Any] = {}
    read: dict[str, Any] = {}
    if facts.format == "xlsx":
        read = {"header_row": facts.header_row, **({"sheet": facts.sheet} if facts.sheet else {})}
        if facts.header_row != 1:
            read = _marked(
                f"the header was found on row {facts.header_row}; if rows after it describe the "
                'columns rather than hold data, list their numbers under "skip_rows".',
                **read,
            )
    if facts.index_column:
        read = {**read, "index_column": True}
        notes.append("the first column has no name and only numbers the rows: it is left out")
    if read:
        resource_academy["read"] = read
    resource_academy["chart"] = _chart(facts, found)
    bounds = None
    if found.table is not None:
        adapter, bounds = _adapter(facts, found, tables[found.table], known_facts, notes)
        other = _primary_of(root, city, found.table, dataset)
        if other is not None:  # a second file of the same table: lessons keep reading the first
            adapter = _marked(
                f"{other} already provides {found.table} for lessons, so this file is drafted "
                'as a second one ("primary": false). If lessons should read this file '
                "instead, set it to true here and to false in the other.",
                table=adapter.pop("table"),
                primary=False,
                **adapter,
            )
        resource_academy["adapter"] = adapter
    government = known_facts.government if known_facts else f"City of {_name_from_id(city)}"
    title = facts.path.stem.replace("_", " ").replace("-", " ").strip().capitalize()
    source: dict[str, Any] = {"title": f"Pinned copy of {facts.path.name}"}
    if url:
        source["path"] = url
    else:
        source = _marked(
            'no download address was given: add "path" with the immutable https URL of '
            "exactly this file if there is one; without it the file must be in the data mirror.",
            **source,
        )
    package = _marked(
        "the title and description were written from the file: give the dataset a title "
        "learners read, and say what one row of the file is and what the file covers.",
        name=f"{city}-{dataset}",
        title=title,
        description=f"{len(facts.text):,} rows published by the {government}.",
        sources=[source],
        academy=_marked(
            "these facts are shown on the data card and could not be read from the file: "
            "check who publishes it, name the portal and dataset it comes from, copy its "
            "licence or terms exactly, say how the data is collected (for a frontline reader), "
            "how this copy was obtained and whether it was trimmed, and what in it is about "
            "people.",
            city=city,
            publisher=government,
            portal="Not recorded yet.",
            terms="Not stated with the file.",
            collection="Not described yet.",
            caveats="Not described yet.",
            quality=_quality(facts),
            privacy="Not reviewed yet: check every column for names, phone numbers and home "
            "addresses before lessons use it.",
        ),
        resources=[
            {
                "name": dataset,
                "path": facts.path.name,
                "format": facts.format,
                "mediatype": MEDIATYPES[facts.format],
                "encoding": facts.encoding,
                "bytes": facts.bytes,
                "hash": f"sha256:{facts.sha256}",
                "profile": "tabular-data-resource",
                "schema": _schema(facts),
                "academy": resource_academy,
            }
        ],
    )
    if known_facts is None:
        city_data = _city_draft(city, found, bounds)
    elif known_facts.bounds is None and bounds is not None:
        city_data = {"bounds": _bounds_draft(bounds)}  # added to the city's facts
    else:
        city_data = None
    return package, city_data, found.table, notes


def _primary_of(root: Path, city: str, table: str, dataset: str) -> str | None:
    """The city's other dataset (confirmed or still a draft) that is already the primary
    file of `table`, or None."""
    from academy.data.catalogue import dataset_id_of, package_paths
    from academy.data.drafts import strip_marks

    for path in package_paths(root):
        other = dataset_id_of(path)
        if other == f"{city}/{dataset}" or not other.startswith(f"{city}/"):
            continue
        try:
            package, _ = strip_marks(json.loads(path.read_text(encoding="utf-8")))
            adapter = package["resources"][0]["academy"]["adapter"]
        except (OSError, ValueError, KeyError, IndexError, TypeError):
            continue  # no adapter, or a file validation reports
        if adapter.get("table") == table and adapter.get("primary", True) is True:
            return other
    return None


def _name_from_id(city: str) -> str:
    return " ".join(part.capitalize() for part in city.split("-"))


def _city_draft(city: str, found: Proposals, bounds: Bounds | None) -> dict[str, Any]:
    area = found.columns.get("neighborhood")
    council = found.columns.get("council_district")
    police = found.columns.get("police_district")
    one, many = area_words(area.column if area else None, ("neighborhood", "neighborhoods"))
    council_one, council_many = area_words(
        council.column if council else None, ("council district", "council districts")
    )
    police_one, police_many = area_words(
        police.column if police else None, ("police district", "police districts")
    )
    drafted = {
        CONFIRM_KEY: "the name was written from the city's folder name: write it as people "
        "write it (e.g. St. Louis), and name the government that runs the academy.",
        "name": _name_from_id(city),
        "government": f"City of {_name_from_id(city)}",
        "areas": _marked(
            "what the city calls the areas in the neighborhood column (e.g. ward, community "
            "area, neighborhood council).",
            one=one,
            many=many,
        ),
        "council_districts": _marked(
            "what the city calls its council districts.", one=council_one, many=council_many
        ),
        "police_districts": _marked(
            "what the city calls its police districts.", one=police_one, many=police_many
        ),
    }
    if bounds is not None:
        drafted["bounds"] = _bounds_draft(bounds)
    return drafted


BOUNDS_NOTE = (
    "drawn around the middle 98% of the file's map points; widen it to the city limits "
    "(validation refuses points far outside it)."
)


def _bounds_draft(bounds: Bounds) -> dict[str, Any]:
    return _marked(BOUNDS_NOTE, **bounds.model_dump())


def _check_id(kind: str, value: str) -> None:
    if not ID.match(value):
        raise AcademyError(
            f"--{kind} {value!r}: use lower-case letters, digits and dashes (e.g. "
            f"{'st-louis' if kind == 'city' else 'service-requests-2024'}); it names a folder"
        )


def _place_file(source: Path, city: str) -> Path:
    """Where the academy reads the file from: the mirror when it is there, else the cache."""
    from academy.data.fetch import cache_dir, mirror_dir

    mirror = mirror_dir()
    if mirror is not None:
        mirrored = mirror / city / source.name
        if mirrored.is_file() and mirrored.resolve() == source.resolve():
            return mirrored
    target = cache_dir() / city / source.name
    if target.resolve() != source.resolve():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return target


def init_dataset(
    file: Path,
    city: str,
    dataset: str,
    root: Path | None = None,
    url: str | None = None,
    force: bool = False,
) -> Draft:
    """Draft datasets/<city>/<dataset>/datapackage.json (and city.yml for a new city) from `file`."""
    root = root or find_root()
    _check_id("city", city)
    _check_id("dataset", dataset)
    if not file.is_file():
        raise AcademyError(f"{file}: no such file; give the path of the file the city publishes")
    if url is not None and not url.startswith("https://"):
        raise AcademyError(
            f"--url {url}: give the file's immutable https address (or leave it out)"
        )
    package_path = datasets_dir(root) / city / dataset / PACKAGE_FILE
    if package_path.exists() and not force:
        raise AcademyError(
            f"{rel(package_path, root)} already exists; edit it, or pass --force to draft it again "
            "(your edits there would be lost)"
        )
    facts = sniff(file)
    package, city_data, table, notes = draft_package(facts, city, dataset, root, url)
    package_path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(package, indent=2, ensure_ascii=False) + "\n"
    package_path.write_text(text, encoding="utf-8")
    city_path = None
    facts_text = ""
    if city_data is not None:
        city_path = facts_path(city, root)
        facts_text = yaml.safe_dump(city_data, sort_keys=False, allow_unicode=True, width=10_000)
        if set(city_data) == {"bounds"}:  # the city's facts had no extent yet
            with city_path.open("a", encoding="utf-8") as handle:
                handle.write(facts_text)
        else:
            header = (
                f"# {FACTS_FILE} drafted by `academy data init`: the city's name and how it "
                "speaks of its places.\n# Check each proposal, then delete its to_confirm line.\n"
            )
            city_path.write_text(header + facts_text, encoding="utf-8")
    marks = text.count(f'"{CONFIRM_KEY}"') + facts_text.count(f"{CONFIRM_KEY}:")
    return Draft(package_path, city_path, _place_file(file, city), marks, table, notes)
