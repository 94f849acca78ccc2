"""academy.data on the real pinned data: canonical tables, raw files, cache, cards, pages.

Needs ACADEMY_DATA_DIR (conftest and CI point it at ../shared/datasets).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest

from academy.core.errors import AcademyError
from academy.data import (
    active_city,
    canonical_tables,
    configured_city,
    dataset_path,
    list_datasets,
    load_canonical,
    profile_dataset,
    raw,
    table,
    validate_datasets,
)
from academy.data import canonical as canonical_module
from academy.data.cards import dataset_page, datasets_index, stale_cards
from academy.data.city import NOTEBOOK_CITY_ENV
from academy.data.fetch import unpackaged_files, verify
from academy.data.pseudonym import pseudonym

REPO = Path(__file__).resolve().parents[1]
CITIES = ["baltimore", "pittsburgh"]

pytestmark = pytest.mark.skipif(
    not os.environ.get("ACADEMY_DATA_DIR"),
    reason="ACADEMY_DATA_DIR is not set: these tests need the pinned data mirror "
    "(e.g. ACADEMY_DATA_DIR=../shared/datasets)",
)


@pytest.fixture(scope="module", autouse=True)
def shared_cache(tmp_path_factory):
    """One Parquet cache for the module (parsing each table once keeps it fast)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ACADEMY_CACHE_DIR", str(tmp_path_factory.mktemp("data-cache")))
        mp.delenv(NOTEBOOK_CITY_ENV, raising=False)
        yield


def test_every_pinned_file_matches_its_package():
    checks = verify(REPO)
    assert {c.dataset_id for c in checks} == {d.id for d in list_datasets(REPO)}
    assert [c.message for c in checks if c.status != "ok"] == []


def test_every_dataset_file_is_in_the_mirror_and_the_rest_are_listed():
    """Each dataset's file is in the mirror; a mirror may also hold files the academy does
    not use yet (a city's files before `academy data init`), which `academy data list` names."""
    mirror = Path(os.environ["ACADEMY_DATA_DIR"])
    files = {f"{p.parent.name}/{p.name}" for p in mirror.glob("*/*") if p.is_file()}
    used = {f"{d.city}/{d.file}" for d in list_datasets(REPO)}
    assert used <= files, f"not in the mirror: {sorted(used - files)}"
    assert unpackaged_files(REPO) == sorted(files - used)


def test_the_datasets_folder_is_valid():
    findings = validate_datasets(REPO)
    assert [str(f) for f in findings if f.rule != "dataset-card-stale"] == []


def test_committed_cards_are_current():
    stale = stale_cards(REPO)
    assert stale == [], "run `academy data cards` and commit the READMEs: " + "; ".join(
        map(str, stale)
    )


@pytest.mark.parametrize("city", CITIES)
def test_service_requests_has_the_canonical_shape(city):
    definition = load_canonical(REPO).tables["service_requests"]
    frame = table("service_requests", city=city, root=REPO)
    assert list(frame.columns) == [f.name for f in definition.fields]
    assert len(frame) > 0
    for field in definition.fields:
        column = frame[field.name]
        if field.type == "datetime":
            assert pd.api.types.is_datetime64_dtype(column), field.name
            assert column.dt.tz is None, f"{field.name} should be local time without a zone"
        elif field.type == "integer":
            assert str(column.dtype) == "Int64", field.name
        elif field.type == "number":
            assert pd.api.types.is_float_dtype(column), field.name
        elif field.type == "boolean":
            assert str(column.dtype) == "boolean", field.name
        else:
            assert pd.api.types.is_string_dtype(column), field.name
    required = [f.name for f in definition.fields if f.required]
    for name in ("request_id", "request_type", "created_at", "status", "status_raw"):
        assert name in required and frame[name].notna().all(), name
    allowed = set(definition.field("status").values)
    assert {"open", "closed"} <= set(frame["status"]) <= allowed
    assert frame["request_id"].is_unique


def test_pittsburgh_status_codes_follow_the_data_dictionary():
    frame = table("service_requests", city="pittsburgh", root=REPO)
    published = raw("pittsburgh/service-requests-2018", root=REPO)
    assert set(frame["status_raw"]) == {"0", "1", "3"}
    expected = published["STATUS"].map({0: "open", 1: "closed", 3: "open"})
    assert (frame["status"] == expected.astype(str)).all()
    assert frame["closed_at"].isna().all() and frame["due_at"].isna().all()
    # X is longitude and Y latitude in the published file; (0, 0) placeholders become missing
    zero = published["X"].eq(0) & published["Y"].eq(0)
    assert zero.sum() > 0
    assert frame.loc[zero.to_numpy(), "latitude"].isna().all()
    assert frame["latitude"].dropna().between(40.3, 40.6).all()
    assert frame["longitude"].dropna().between(-80.2, -79.8).all()


def test_baltimore_status_and_dates_agree():
    frame = table("service_requests", city="baltimore", root=REPO)
    published = raw("baltimore/service-requests-2014-2019", root=REPO)
    transferred = published["SRStatus"].eq("Closed (Transferred)")
    closed_raw = published["SRStatus"].str.startswith("Closed") & ~transferred
    assert (frame["status"].eq("closed") == closed_raw).all()
    assert (frame["status"].eq("referred") == transferred).all() and transferred.any()
    assert (frame["status_raw"] == published["SRStatus"]).all()
    # '(Duplicate)' in the status is the duplicate flag
    assert (
        frame["duplicate"] == published["SRStatus"].str.contains("(Duplicate)", regex=False)
    ).all()
    # closed requests have a closing time, open ones do not
    assert frame.loc[frame["status"].isin(["closed", "referred"]), "closed_at"].notna().all()
    assert frame.loc[frame["status"] == "open", "closed_at"].isna().all()
    first = published.loc[0, "CreatedDate"]
    assert frame.loc[0, "created_at"] == pd.to_datetime(first, format="%m/%d/%Y %I:%M:%S %p")


def test_baltimore_placeholder_coordinates_become_missing():
    frame = table("service_requests", city="baltimore", root=REPO)
    published = raw("baltimore/service-requests-2014-2019", root=REPO)
    placeholder = published["Latitude"].eq(39) & published["Longitude"].isin([-77, -76])
    assert placeholder.sum() > 0, "the real file has placeholder rows"
    assert frame.loc[placeholder.to_numpy(), ["latitude", "longitude"]].isna().all().all()
    assert not frame["latitude"].eq(39).any() and not frame["longitude"].eq(-77).any()
    real = frame["latitude"].notna()
    assert real.sum() == (published["Latitude"].notna() & ~placeholder).sum()
    assert frame.loc[real, "latitude"].between(38.5, 40.0).all()  # the Baltimore area


def test_vacant_buildings_from_both_snapshots():
    current = table("vacant_buildings", city="baltimore", root=REPO)
    older = table("vacant_buildings", root=REPO, dataset="baltimore/vacant-buildings-2019")
    assert list(current.columns) == list(older.columns)
    assert current["notice_id"].is_unique and older["notice_id"].is_unique
    # 2019: the location text becomes numbers; notice times are local midnight
    assert older["latitude"].between(39.1, 39.5).all()
    assert older["longitude"].between(-76.8, -76.4).all()
    assert (older["notice_date"].dt.hour == 0).all()
    assert older["block_lot"].str.fullmatch(r"\S+ \S+").all()
    # 2025 gives X/Y in Maryland state-plane feet: converted with pyproj, they land in the city
    assert current["latitude"].between(39.19, 39.38).all()
    assert current["longitude"].between(-76.72, -76.52).all()
    published = raw("baltimore/vacant-building-notices-2025", root=REPO)
    blank = published["Address"].str.strip().eq("")
    assert current.loc[blank.to_numpy(), "address"].isna().all()


def test_active_city_comes_from_the_kernel_or_academy_yml(monkeypatch):
    configured = re.search(
        r"^city:\s*(\S+)", (REPO / "curriculum/academy.yml").read_text(), re.MULTILINE
    )
    assert configured is not None
    assert active_city(REPO) == configured.group(1) == configured_city(REPO)
    monkeypatch.setenv("ACADEMY_CITY", "chicago")  # the command line's variable: not read here
    assert active_city(REPO) == configured.group(1)
    monkeypatch.setenv(NOTEBOOK_CITY_ENV, " pittsburgh ")
    assert active_city(REPO) == "pittsburgh"
    via_env = table("service_requests", root=REPO)
    pd.testing.assert_frame_equal(via_env, table("service_requests", city="pittsburgh", root=REPO))


def test_canonical_tables_per_city():
    assert canonical_tables(REPO, "baltimore") == {
        "service_requests",
        "vacant_buildings",
        "vacant_building_counts",
        "employee_salaries",
    }
    # Pittsburgh's neighbourhood outlines are the maps course's area_boundaries
    assert canonical_tables(REPO, "pittsburgh") == {"service_requests", "area_boundaries"}
    for city in ("los-angeles", "chicago"):
        assert canonical_tables(REPO, city) == {"service_requests"}
    with pytest.raises(
        AcademyError, match="no adapter provides canonical table 'vacant_buildings'"
    ):
        table("vacant_buildings", city="pittsburgh", root=REPO)


def test_second_load_comes_from_the_parquet_cache(monkeypatch):
    first = table("service_requests", city="pittsburgh", root=REPO)
    cached = list(canonical_module.tables_cache_dir().glob("pittsburgh/*.parquet"))
    assert len(cached) == 1

    def no_parsing(*args, **kwargs):
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(canonical_module, "build_canonical", no_parsing)
    second = table("service_requests", city="pittsburgh", root=REPO)
    pd.testing.assert_frame_equal(first, second)


def test_raw_keeps_the_file_as_published():
    fy18 = raw("baltimore/employee-salaries-fy2018", root=REPO)
    fy19 = raw("baltimore/employee-salaries-fy2019", root=REPO)
    assert "GROSS" in fy18.columns and "Gross" in fy19.columns  # real schema drift
    counts = raw("baltimore/vacant-building-counts-2010-2019", root=REPO)
    assert list(counts.columns) == ["date", " count "]
    assert str(counts[" count "].dtype) == "Int64"
    notices = raw("baltimore/vacant-building-notices-2025", root=REPO)
    assert notices.columns[0] == "X"  # the byte-order mark is handled
    dictionary = raw("pittsburgh/311-data-dictionary", root=REPO)
    assert "STATUS" in set(dictionary["fieldName"])
    hoods = raw("pittsburgh/neighborhoods", root=REPO)
    assert "Esplen" not in set(hoods["hood_1"])


def test_salary_names_are_pseudonymised_by_default():
    real = raw("baltimore/employee-salaries-fy2018", root=REPO, pseudonymise=False)
    shown = raw("baltimore/employee-salaries-fy2018", root=REPO)
    again = raw("baltimore/employee-salaries-fy2018", root=REPO)
    assert shown["NAME"].str.fullmatch(r"Employee [0-9A-F]{8}").all()
    assert not set(shown["NAME"]) & set(real["NAME"])
    pd.testing.assert_frame_equal(shown, again)
    # same person, same code in both years (the files share a salt)
    fy19_real = raw("baltimore/employee-salaries-fy2019", root=REPO, pseudonymise=False)
    fy19 = raw("baltimore/employee-salaries-fy2019", root=REPO)
    name = sorted(set(real["NAME"]) & set(fy19_real["NAME"]))[0]
    code18 = shown.loc[real["NAME"] == name, "NAME"].iloc[0]
    code19 = fy19.loc[fy19_real["NAME"] == name, "NAME"].iloc[0]
    assert code18 == code19 == pseudonym(name, "Employee", "baltimore-salaries")
    # one code per name: pseudonyms keep distinct people distinct
    assert shown["NAME"].nunique() == real["NAME"].nunique()


def test_dataset_path_points_at_the_verified_mirror_file():
    path = dataset_path("pittsburgh/neighborhoods", root=REPO)
    assert path == Path(os.environ["ACADEMY_DATA_DIR"]) / "pittsburgh" / "neighborhoods.geojson"


def test_every_known_problem_with_a_check_is_found_in_the_data():
    checked = 0
    for info in list_datasets(REPO):
        for result in profile_dataset(info.id, REPO).quality:
            if result.problem.check is not None:
                checked += 1
                assert result.count, f"{info.id}: {result.problem.id} not found in the file"
    assert checked >= 20


def test_profile_counts_match_the_file():
    profile = profile_dataset("pittsburgh/service-requests-2018", REPO)
    published = raw("pittsburgh/service-requests-2018", root=REPO)
    assert profile.rows == len(published)
    by_name = {c.name: c for c in profile.columns}
    assert by_name["X"].missing == published["X"].isna().sum()
    esplen = next(r for r in profile.quality if r.problem.id == "neighborhood-not-in-boundaries")
    assert esplen.examples == ("Esplen",)
    assert esplen.count == (published["NEIGHBORHOOD"] == "Esplen").sum()


def test_table_schemas_validate_against_the_real_files_with_frictionless():
    from frictionless import Package

    mirror = Path(os.environ["ACADEMY_DATA_DIR"])
    for info in list_datasets(REPO):
        if info.format != "csv":
            continue
        descriptor = (REPO / info.package_path).read_text(encoding="utf-8")
        import json

        package = Package(json.loads(descriptor), basepath=str(mirror / info.city))
        errors = package.validate().flatten(["type", "fieldName"])
        header_problem = any(
            r.problem.id == "header-spaces" for r in profile_dataset(info.id, REPO).quality
        )
        allowed = {"incorrect-label"} if header_problem else set()
        assert [e for e in errors if e[0] not in allowed] == [], info.id


def test_dataset_page_has_card_profile_and_an_offline_chart():
    page = dataset_page("baltimore/service-requests-2014-2019", REPO)
    assert page.startswith("# ")
    assert "## What is missing or wrong" in page and "*Found in this file:" in page
    figure = page[page.index("<figure") : page.index("</figure>")]
    assert "<svg" in figure and 'role="img"' in figure and 'aria-label="Bar chart' in figure
    assert "<path" in figure or "<rect" in figure, "the chart must draw marks"
    assert "<script" not in page
    assert not re.search(r"""(href|src)=["']?https?:|url\(\s*["']?https?:""", page)
    assert "Solid Waste" in figure  # the busiest agency, drawn from the data
    salaries = dataset_page("baltimore/employee-salaries-fy2018", REPO)
    real = raw("baltimore/employee-salaries-fy2018", root=REPO, pseudonymise=False)
    assert real["NAME"].iloc[0] not in salaries


def test_datasets_index_links_every_dataset():
    index = datasets_index(REPO)
    for info in list_datasets(REPO):
        assert f"]({info.id}.md)" in index
