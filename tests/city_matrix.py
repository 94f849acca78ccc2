"""The city matrix: the real cities, and variants derived from their real files.

Each variant is a city the academy was not written on, made from a real file by one
change a real city's data shows (see issue 12):

- `no-channel-city` (Port Alder): Pittsburgh's 311 file without its channel and council
  district columns;
- `st-clair` (St. Clair): Los Angeles's file with latitude/longitude replaced by
  state-plane X/Y (California zone 5, US feet), projected from the real points with pyproj;
- `one-type-city` (Cedar Falls): Los Angeles's bulky-item requests only (a per-type
  export: one kind of request);
- `repeats-city` (Lakeport): Chicago's file with a tenth of its requests published twice
  (an earlier update first), and its cancelled requests;
- `one-day-city` (Fort Hale): Chicago's requests of a single day.

`write_variants(root, mirror)` adds them to an academy under `root`: a derived file in
`mirror/<city>/`, a datapackage.json pinned to it, and a city.yml whose name is not
spelt from the city id (so a page that spells a name from an id is caught).
"""

from __future__ import annotations

import contextlib
import hashlib
import html as html_lib
import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from academy.data.city import notebook_environment

REPO = Path(__file__).resolve().parents[1]
REAL_CITIES = ("baltimore", "pittsburgh", "los-angeles", "chicago")


@dataclass(frozen=True)
class Variant:
    """One derived city."""

    city: str
    name: str  # as people write it: never the id, title-cased
    base: str  # the real dataset it is derived from
    file: str
    derive: Callable[[pd.DataFrame], pd.DataFrame]
    adapt: Callable[[dict], None]  # edits the base's adapter (and schema) in place


def _drop_channel_and_district(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["REQUEST_ORIGIN", "COUNCIL_DISTRICT"])


def _no_channel_adapter(package: dict) -> None:
    adapter = _adapter(package)
    for name, reason in (
        ("channel", "Port Alder does not publish how a request came in."),
        ("council_district", "Port Alder has no council districts in its 311 file."),
    ):
        adapter["columns"].pop(name)
        adapter["not_published"][name] = reason


def _state_plane(frame: pd.DataFrame) -> pd.DataFrame:
    from pyproj import Transformer

    forward = Transformer.from_crs("EPSG:4326", "EPSG:2229", always_xy=True)
    lat = pd.to_numeric(frame["Latitude"])
    lon = pd.to_numeric(frame["Longitude"])
    x, y = forward.transform(lon.to_numpy(), lat.to_numpy())
    out = frame.drop(columns=["Latitude", "Longitude", "Location"])
    out["X"] = pd.Series(x, index=frame.index).where(lat.notna()).round(3)
    out["Y"] = pd.Series(y, index=frame.index).where(lat.notna()).round(3)
    return out


def _state_plane_adapter(package: dict) -> None:
    adapter = _adapter(package)
    adapter["columns"].pop("latitude")
    adapter["columns"].pop("longitude")
    adapter["coordinates"] = {"x": "X", "y": "Y", "crs": "EPSG:2229"}


def _one_type(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["RequestType"] == "Bulky Items"]


def _repeated(frame: pd.DataFrame) -> pd.DataFrame:
    """A tenth of the requests published twice: an earlier update (still open) first."""
    earlier = frame.sample(frac=0.1, random_state=7).copy()
    earlier["status"] = "Open"
    earlier["closed_date"] = None
    stamps = pd.to_datetime(earlier["created_date"]) + pd.Timedelta(minutes=1)
    earlier["last_modified_date"] = stamps.dt.strftime("%Y-%m-%dT%H:%M:%S.000")
    return pd.concat([earlier, frame]).sort_index(kind="stable")


def _repeats_adapter(package: dict) -> None:
    _adapter(package)["repeats"] = {
        "key": ["sr_number"],
        "keep": "last",
        "order_by": "last_modified_date",
        "order_format": "ISO8601",
    }


def _one_day(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["created_date"].str.startswith("2021-01-01")]


def _same(package: dict) -> None:
    """The base adapter as it is."""


def _adapter(package: dict) -> dict:
    return package["resources"][0]["academy"]["adapter"]


VARIANTS = (
    Variant(
        "no-channel-city",
        "Port Alder",
        "pittsburgh/service-requests-2018",
        "311_requests_no_channel.csv",
        _drop_channel_and_district,
        _no_channel_adapter,
    ),
    Variant(
        "st-clair",
        "St. Clair",
        "los-angeles/service-requests-2017",
        "311_requests_state_plane.csv",
        _state_plane,
        _state_plane_adapter,
    ),
    Variant(
        "one-type-city",
        "Cedar Falls",
        "los-angeles/service-requests-2017",
        "311_bulky_items_only.csv",
        _one_type,
        _same,
    ),
    Variant(
        "repeats-city",
        "Lakeport",
        "chicago/service-requests-2021",
        "311_requests_with_repeats.csv",
        _repeated,
        _repeats_adapter,
    ),
    Variant(
        "one-day-city",
        "Fort Hale",
        "chicago/service-requests-2021",
        "311_requests_one_day.csv",
        _one_day,
        _same,
    ),
)
CITIES = (*REAL_CITIES, *(v.city for v in VARIANTS))

#: How much of the academy the derived cities go through. By default (`make test`, CI)
#: each derived city builds every click-through lesson and the books every learner starts
#: with (test_city_matrix.VARIANT_COURSES), and the round trip grades the solution and the
#: stub of each exercise that reads the city's own data, not the wrong answers: each
#: variant is one class of problem, and a whole build and round trip per variant put CI
#: past an hour on two cores. `ACADEMY_MATRIX=full` builds and grades everything for every
#: city (before a release, or after changing a lesson's data handling).
FULL_MATRIX = os.environ.get("ACADEMY_MATRIX", "") == "full"


def _read_published(base_file: Path) -> pd.DataFrame:
    return pd.read_csv(base_file, dtype="str", keep_default_na=False, na_values=[""])


def write_variant(variant: Variant, root: Path, mirror: Path, source_mirror: Path) -> None:
    """The variant's file in `mirror` and its datapackage.json and city.yml under `root`."""
    base_city, base_name = variant.base.split("/")
    package_path = REPO / "datasets" / base_city / base_name / "datapackage.json"
    package = json.loads(package_path.read_text(encoding="utf-8"))
    base_file = source_mirror / base_city / package["resources"][0]["path"]
    frame = variant.derive(_read_published(base_file))
    target = mirror / variant.city / variant.file
    target.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(target, index=False)
    data = target.read_bytes()
    resource = package["resources"][0]
    resource.update(
        {
            "path": variant.file,
            "name": "service-requests",
            "bytes": len(data),
            "hash": f"sha256:{hashlib.sha256(data).hexdigest()}",
            "encoding": "utf-8",
        }
    )
    known = {f["name"]: f for f in resource["schema"]["fields"]}
    resource["schema"]["fields"] = [
        known.get(c, {"name": c, "type": "number", "description": f"{c} in US survey feet."})
        for c in frame.columns
    ]
    variant.adapt(package)
    package["name"] = f"{variant.city}-service-requests"
    package["title"] = f"{variant.name} 311 service requests (derived from {variant.base})"
    package["academy"]["city"] = variant.city
    package["academy"]["publisher"] = f"Derived for tests from {variant.base}"
    package["academy"]["quality"] = [
        q for q in package["academy"]["quality"] if _checks_columns(q, set(frame.columns))
    ]
    package["sources"] = [{"title": f"Derived in the test suite from {variant.base}"}]
    folder = root / "datasets" / variant.city / "service-requests"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "datapackage.json").write_text(json.dumps(package, indent=2), encoding="utf-8")
    facts = (REPO / "datasets" / base_city / "city.yml").read_text(encoding="utf-8")
    lines = [
        f"name: {variant.name}" if line.startswith("name:") else line
        for line in facts.splitlines()
        if not line.startswith("government:")
    ]
    lines.append(f"government: City of {variant.name}")
    (root / "datasets" / variant.city / "city.yml").write_text("\n".join(lines) + "\n")


def _checks_columns(problem: dict, columns: set[str]) -> bool:
    check = problem.get("check") or {}
    named = [check.get("column"), *(check.get("columns") or []), *(check.get("values") or {})]
    return all(c in columns for c in named if c)


COPIED = ("curriculum", "tracks", "exercises", "datasets", "site")


def academy_copy(base: Path) -> Path:
    """A copy of the real academy (content and specs, no build output) under `base`."""
    root = base / "academy"
    root.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        shutil.copytree(
            REPO / name,
            root / name,
            ignore=shutil.ignore_patterns("_build", "__pycache__", ".ipynb_checkpoints"),
        )
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    node_modules = REPO / "node_modules"
    if node_modules.is_dir() and not (root / "node_modules").exists():
        (root / "node_modules").symlink_to(node_modules)
    return root


def mirror_with_variants(base: Path, source_mirror: Path) -> Path:
    """A mirror of symbolic links to the real files, plus the variants' derived files."""
    mirror = base / "mirror"
    for city_dir in sorted(p for p in source_mirror.iterdir() if p.is_dir()):
        (mirror / city_dir.name).mkdir(parents=True, exist_ok=True)
        for path in city_dir.iterdir():
            if path.is_file():
                (mirror / city_dir.name / path.name).symlink_to(path.resolve())
    return mirror


def write_variants(root: Path, mirror: Path, source_mirror: Path) -> None:
    for variant in VARIANTS:
        write_variant(variant, root, mirror, source_mirror)


def spelt_from_id(city: str) -> set[str]:
    """Ways a page would write the city's name if it made it from the id, not city.yml."""
    words = city.split("-")
    return {" ".join(w.capitalize() for w in words), "-".join(w.capitalize() for w in words)}


@dataclass(frozen=True)
class Matrix:
    """An academy with every city of the matrix, and the mirror that holds their files."""

    root: Path
    mirror: Path


_prepared: list[Matrix] = []


def prepared_matrix(source_mirror: Path) -> Matrix:
    """The matrix academy under build/city-matrix (kept between runs, so unchanged books are
    reused), its content copied afresh from the academy and its variants written again."""
    if _prepared:
        return _prepared[0]
    base = REPO / "build" / "city-matrix"
    root, mirror = base / "academy", base / "mirror"
    for name in COPIED:
        if (root / name).exists():
            shutil.rmtree(root / name)
    if mirror.exists():
        shutil.rmtree(mirror)
    base.mkdir(parents=True, exist_ok=True)
    academy_copy(base)
    mirror_with_variants(base, source_mirror)
    write_variants(root, mirror, source_mirror)
    import os

    from academy.data.cards import write_cards

    before = os.environ.get("ACADEMY_DATA_DIR")
    os.environ["ACADEMY_DATA_DIR"] = str(mirror)
    try:
        write_cards(root)
    finally:
        if before is None:
            os.environ.pop("ACADEMY_DATA_DIR")
        else:
            os.environ["ACADEMY_DATA_DIR"] = before
    _prepared.append(Matrix(root, mirror))
    return _prepared[0]


@dataclass
class CityBuild:
    """What the build made for one city: book pages and resolved click-through lessons."""

    city: str
    name: str
    pages: dict[str, str]  # '<course>/<page>' -> HTML
    lessons: dict[str, dict]  # '<course>/<lesson>' -> resolved lesson


def _with_mirror(mirror: Path):
    import contextlib
    import os

    @contextlib.contextmanager
    def scope():
        before = os.environ.get("ACADEMY_DATA_DIR")
        os.environ["ACADEMY_DATA_DIR"] = str(mirror)
        try:
            yield
        finally:
            if before is None:
                os.environ.pop("ACADEMY_DATA_DIR", None)
            else:
                os.environ["ACADEMY_DATA_DIR"] = before

    return scope()


#: Sphinx writes typographic quotes ("smartquotes"); tests match on the plain ones
_PLAIN_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def page_text(page_html: str, code: bool = False) -> str:
    """The words of a built book page's article, as a learner reads them. Code and its
    printed output are left out unless `code` (they are not sentences: pandas writes NaN
    there, rightly)."""
    body = page_html.split('<article class="bd-article"', 1)[-1].split("</article>", 1)[0]
    hidden = "script|style|svg" if code else "script|style|svg|pre|code"
    body = re.sub(rf"<({hidden})\b.*?</\1>", " ", body, flags=re.DOTALL)
    if not code:
        body = re.sub(r'<table class="dataframe.*?</table>', " ", body, flags=re.DOTALL)
    text = html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))
    return text.translate(_PLAIN_QUOTES)


def build_lessons(
    root: Path, mirror: Path, city: str, workers: int = 2, courses: set[str] | None = None
) -> CityBuild:
    """Every course book (or those of `courses`) and click-through lesson of the academy at
    `root`, for `city` (validated first, as `academy build` does; the portal is not built).
    Books whose inputs did not change since the last run are reused."""
    from academy.build.books import environment_fingerprint, job_for
    from academy.build.pipeline import ValidationFailed, build_books, check_data_available
    from academy.checks.registry import errors, load_and_validate
    from academy.clickthrough.build import build_clickthrough
    from academy.core.errors import AcademyError
    from academy.core.paths import build_dir
    from academy.data.city import city_name

    with _with_mirror(mirror):
        cur, findings = load_and_validate(root, city)
        if errors(findings):
            raise ValidationFailed(errors(findings))
        check_data_available(cur)
        environment = environment_fingerprint(root, city)
        books = [b for b in cur.books if courses is None or b.course.id in courses]
        jobs = [job_for(b, root, build_dir(root) / "books", city, environment) for b in books]
        results = build_books(jobs, workers, lambda *_: None)
        failed = [r for r in results if r.status == "failed"]
        if failed:
            raise AcademyError("\n".join(r.error for r in failed))
        lessons_dir = build_dir(root) / "matrix-lessons" / city
        built = build_clickthrough(cur, city, lessons_dir, None)
        name = city_name(city, root)
    pages = {
        f"{result.course_id}/{page.stem}": page.read_text(encoding="utf-8")
        for result in results
        for page in result.html.glob("**/*.html")
        if page.stem not in {"genindex", "search"}
    }
    lessons = {
        f"{b.course}/{b.name}": json.loads(b.resolved.read_text(encoding="utf-8")) for b in built
    }
    return CityBuild(city, name, pages, lessons)


def from_report(report, root: Path, city: str, out: Path) -> CityBuild:
    """A CityBuild from a full `academy build` of the real academy (its books), with the
    city's click-through lessons resolved again into `out` (a build keeps only its last
    city's)."""
    from academy.checks.registry import load_and_validate
    from academy.clickthrough.build import build_clickthrough
    from academy.data.city import city_name

    cur, _ = load_and_validate(root, city)
    built = build_clickthrough(cur, city, out, None)
    pages = {
        f"{result.course_id}/{page.stem}": page.read_text(encoding="utf-8")
        for result in report.books
        for page in result.html.glob("**/*.html")
        if page.stem not in {"genindex", "search"}
    }
    lessons = {
        f"{b.course}/{b.name}": json.loads(b.resolved.read_text(encoding="utf-8")) for b in built
    }
    return CityBuild(city, city_name(city, root), pages, lessons)


def academy_for(city: str) -> tuple[Path, Path | None]:
    """(academy root, data mirror) that holds `city`: the real academy, or the city matrix
    (its derived cities) with its mirror of links."""
    if city in REAL_CITIES:
        return REPO, None
    matrix = prepared_matrix(Path(os.environ["ACADEMY_DATA_DIR"]))
    return matrix.root, matrix.mirror


@contextlib.contextmanager
def city_env(city: str) -> Iterator[None]:
    """The environment a lesson or exercise kernel gets for `city` (root, city, mirror)."""
    root, mirror = academy_for(city)
    with pytest.MonkeyPatch.context() as mp:
        for name, value in notebook_environment(root, city).items():
            mp.setenv(name, value)
        if mirror is not None:
            mp.setenv("ACADEMY_DATA_DIR", str(mirror))
        yield
