"""`academy data init` on every real file in the mirror: a draft whose every proposal is
marked, that validation refuses line by line, and that validates once the marks are gone.

Needs ACADEMY_DATA_DIR (conftest and CI point it at ../shared/datasets).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from academy.core.errors import AcademyError
from academy.data import table
from academy.data.cli import app as data_app
from academy.data.draft import init_dataset
from academy.data.validation import validate_datasets

REPO = Path(__file__).resolve().parents[1]
MIRROR = Path(os.environ.get("ACADEMY_DATA_DIR", "/nonexistent"))
FILES = sorted(
    p for p in MIRROR.glob("*/*") if p.is_file() and p.suffix in {".csv", ".xlsx", ".geojson"}
)
pytestmark = pytest.mark.skipif(not FILES, reason="needs the data mirror in ACADEMY_DATA_DIR")


def _dataset_name(path: Path) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")


def confirm(path: Path) -> None:
    """What a team does once it agrees with every proposal: delete each to_confirm line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\n".join(x for x in lines if not re.match(r'^\s*"?to_confirm"?:', x)) + "\n",
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def drafts(tmp_path_factory) -> dict[str, object]:
    """A fresh academy (canonical.yml only) with a draft for every real file, city by city."""
    root = empty_academy(tmp_path_factory.mktemp("new-city"), "chicago")
    cache = tmp_path_factory.mktemp("init-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ACADEMY_CACHE_DIR", str(cache))
        made = {
            f"{p.parent.name}/{p.name}": init_dataset(p, p.parent.name, _dataset_name(p), root)
            for p in FILES
        }
        unconfirmed = validate_datasets(root)
        for draft in made.values():
            confirm(draft.package_path)
            if draft.city_path is not None:
                confirm(draft.city_path)
        confirmed = validate_datasets(root)
        yield {"root": root, "drafts": made, "before": unconfirmed, "after": confirmed}


def test_every_proposal_is_marked_and_refused_until_confirmed(drafts):
    marks = sum(d.marks for d in drafts["drafts"].values())
    refused = [f for f in drafts["before"] if f.rule == "draft-unconfirmed"]
    assert marks > 0 and len(refused) == marks
    assert all(f.line > 1 or f.path.endswith("city.yml") for f in refused)


def test_confirmed_drafts_of_every_real_file_validate(drafts):
    errors = [str(f) for f in drafts["after"] if f.severity == "error"]
    assert errors == []
    # no card yet: that is a warning, written by `academy data cards`
    assert {f.rule for f in drafts["after"]} <= {
        "dataset-card-stale",
        "adapter-coordinates-outside-city",
    }


def test_the_311_files_become_service_requests(drafts, monkeypatch):
    monkeypatch.setenv("ACADEMY_CACHE_DIR", str(drafts["root"].parent / "tables"))
    by_file = drafts["drafts"]
    three_eleven = [k for k, d in by_file.items() if d.table == "service_requests"]
    assert len(three_eleven) == 4  # Baltimore, Pittsburgh, Los Angeles and Chicago
    for key in three_eleven:
        city = key.split("/")[0]
        frame = table("service_requests", city=city, root=drafts["root"])
        assert len(frame) > 1000 and frame["request_id"].is_unique
        assert frame["created_at"].notna().all()
    la = json.loads(
        by_file[
            next(k for k in three_eleven if k.startswith("los-angeles"))
        ].package_path.read_text()
    )
    status = la["resources"][0]["academy"]["adapter"]["vocabularies"]["status"]
    assert status == {
        "Cancelled": "cancelled",
        "Closed": "closed",
        "Open": "open",
        "Referred Out": "referred",
    }


def test_file_facts_are_read_from_the_file(drafts):
    by_file = drafts["drafts"]
    notices = json.loads(
        by_file["baltimore/vacant_building_notices_open_2025.csv"].package_path.read_text()
    )
    resource = notices["resources"][0]
    assert resource["encoding"] == "utf-8-sig"  # it starts with a byte-order mark
    assert (
        resource["hash"]
        == "sha256:1797f78f59ae40e7690ddbba4a27d1a9618b7547f3c7dacf524287f52ca910ae"
    )
    assert resource["bytes"] == 1_614_801
    workbook = json.loads(by_file["pittsburgh/311_data_dictionary.xlsx"].package_path.read_text())
    assert workbook["resources"][0]["academy"]["read"]["header_row"] == 4
    chicago = json.loads(
        by_file[next(k for k in by_file if k.startswith("chicago"))].package_path.read_text()
    )
    fields = {f["name"]: f["type"] for f in chicago["resources"][0]["schema"]["fields"]}
    assert fields["police_district"] == "string"  # '08': the zero matters
    assert fields["x_coordinate"] == "number"


def empty_academy(base: Path, city: str) -> Path:
    """An academy with only canonical.yml and an academy.yml naming `city`."""
    root = base / "academy"
    (root / "curriculum").mkdir(parents=True)
    (root / "curriculum" / "academy.yml").write_text(f"city: {city}\n")
    (root / "datasets").mkdir()
    shutil.copy(REPO / "datasets" / "canonical.yml", root / "datasets" / "canonical.yml")
    return root


def test_a_blank_leading_index_column_is_detected(tmp_path, monkeypatch):
    root = empty_academy(tmp_path, "testville")
    monkeypatch.setenv("ACADEMY_CACHE_DIR", str(tmp_path / "cache"))
    source = tmp_path / "saved_by_r.csv"
    source.write_text(",name,count\n1,a,3\n2,b,4\n3,c,5\n")
    draft = init_dataset(source, "testville", "saved-by-r", root)
    package = json.loads(draft.package_path.read_text())
    assert package["resources"][0]["academy"]["read"] == {"index_column": True}
    assert [f["name"] for f in package["resources"][0]["schema"]["fields"]] == ["name", "count"]


def test_cli_init_explains_the_next_step_and_refuses_to_overwrite(tmp_path, monkeypatch):
    root = empty_academy(tmp_path, "testville")
    monkeypatch.setenv("ACADEMY_CACHE_DIR", str(tmp_path / "cache"))
    small = MIRROR / "baltimore" / "vacant_building_counts_2010_2019.csv"
    args = ["init", str(small), "--city", "testville", "--dataset", "counts", "--root", str(root)]
    runner = CliRunner()
    first = runner.invoke(data_app, args)
    assert first.exit_code == 0, first.output
    assert 'marked "to_confirm"' in first.output and "academy validate" in first.output
    again = runner.invoke(data_app, args)
    assert isinstance(again.exception, AcademyError) and "--force" in str(again.exception)
    bad = runner.invoke(
        data_app, ["init", str(small), "--city", "St Louis", "--dataset", "x", "--root", str(root)]
    )
    assert isinstance(bad.exception, AcademyError) and "lower-case" in str(bad.exception)


def test_a_point_at_zero_zero_is_a_placeholder_however_few_rows_hold_it():
    from academy.data.propose import shared_points

    lat = pd.Series([40.44] * 5 + [40.45] * 5 + [0.0] * 3 + [None])
    lon = pd.Series([-79.99] * 5 + [-79.98] * 5 + [0.0] * 3 + [None])
    assert [(p.latitude, p.longitude, p.rows) for p in shared_points(lat, lon)] == [(0, 0, 3)]
    # a city hall default: many rows at one point, and 0/0 as well
    lat = pd.Series([39.29] * 40 + [39.30 + i / 1000 for i in range(60)] + [0.0])
    lon = pd.Series([-76.61] * 40 + [-76.60 - i / 1000 for i in range(60)] + [0.0])
    assert [(p.latitude, p.rows) for p in shared_points(lat, lon)] == [(39.29, 40), (0, 1)]


def test_a_required_column_with_an_unknown_name_is_proposed_from_its_values(tmp_path, monkeypatch):
    """A 311 file whose type column has a name no synonym knows still gets an adapter: the
    first column whose values fit is proposed, the others that fit are named, and the
    statuses are read from their words (here none of open/closed is written as such)."""
    root = empty_academy(tmp_path, "testville")
    monkeypatch.setenv("ACADEMY_CACHE_DIR", str(tmp_path / "cache"))
    kinds, states = ["Pothole", "Graffiti", "Trash"], ["Done", "In Progress", "Withdrawn"]
    rows = [
        f"T-{i},{kinds[i % 3]},Streets,2024-03-{1 + i % 28:02d} 08:00,{states[i % 3]}"
        for i in range(60)
    ]
    source = tmp_path / "tickets.csv"
    source.write_text("sr_number,What Went Wrong,Crew,created_date,status\n" + "\n".join(rows))
    draft = init_dataset(source, "testville", "tickets", root)
    assert draft.table == "service_requests"
    adapter = json.loads(draft.package_path.read_text())["resources"][0]["academy"]["adapter"]
    kind = adapter["columns"]["request_type"]
    assert kind["column"] == "What Went Wrong"
    assert "no column is named like request_type" in kind["to_confirm"]
    assert "'Crew'" in kind["to_confirm"]  # another column that fits, for the team to weigh
    status = {k: v for k, v in adapter["vocabularies"]["status"].items() if k != "to_confirm"}
    assert status == {"Done": "closed", "In Progress": "open", "Withdrawn": "cancelled"}


def test_a_second_file_of_a_table_is_drafted_as_not_primary(drafts):
    """Baltimore's 2019 vacant-building snapshot and its 2025 notices are both vacant_buildings:
    the second one drafted is marked `"primary": false`, so lessons keep reading the first."""
    adapters = [
        json.loads(d.package_path.read_text())["resources"][0]["academy"]["adapter"]
        for key, d in drafts["drafts"].items()
        if key.startswith("baltimore/") and d.table == "vacant_buildings"
    ]
    assert sorted(a.get("primary", True) for a in adapters) == [False, True]
