"""academy.data on tiny fixture files: missing or altered files, bad adapters, the cache.

These build a one-dataset academy in tmp_path and never need the real data.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import shutil
import threading
from functools import partial
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from academy.core.errors import AcademyError
from academy.data import canonical_tables, dataset_path, raw, table, validate_datasets
from academy.data import fetch as fetch_module
from academy.data.catalogue import get_dataset
from academy.data.city import NOTEBOOK_CITY_ENV
from academy.data.cli import app as data_app
from academy.data.fetch import pull_one
from academy.data.jsonlines import json_lines
from academy.data.pseudonym import pseudonym, pseudonymise_columns

REPO = Path(__file__).resolve().parents[1]
DATASET = "testville/requests"

CSV = (
    "ID,Opened,Closed,Kind,Dept,State,Area,Ward,Lat,Lon,Via\n"
    "1,2020-01-02 08:00,2020-01-03 09:30,Pothole,Streets,C,North,1,40.1,-75.1,Phone\n"
    "2,2020-01-05 10:15,,Graffiti,Parks,O,South,2,0,0,Web\n"
    "3,2020-01-06 11:00,,Pothole,Streets,N,,,,,App\n"
)


CITY_YML = """\
name: Testville
government: Town of Testville
areas: {one: quarter, many: quarters}
council_districts: {one: ward, many: wards}
bounds: {south: 39.9, north: 40.3, west: -75.3, east: -74.9}
"""


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _package(data: bytes) -> dict:
    columns = CSV.splitlines()[0].split(",")
    types = {"ID": "integer", "Ward": "integer", "Lat": "number", "Lon": "number"}
    return {
        "name": "testville-requests",
        "title": "Testville requests",
        "description": "A tiny made-up 311 file for tests.",
        "sources": [{"title": "Pinned copy", "path": "https://example.org/pinned/requests.csv"}],
        "academy": {
            "city": "testville",
            "publisher": "Testville",
            "portal": "none",
            "terms": "Made up for tests.",
            "collection": "Typed in by a test.",
            "caveats": "None.",
            "privacy": "Nothing about people.",
            "quality": [
                {
                    "id": "zero-coordinates",
                    "title": "Coordinates of 0, 0",
                    "detail": "A placeholder.",
                    "check": {"kind": "equals", "values": {"Lat": "0", "Lon": "0"}},
                }
            ],
        },
        "resources": [
            {
                "name": "requests",
                "path": "requests.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": len(data),
                "hash": f"sha256:{_sha(data)}",
                "schema": {
                    "fields": [
                        {"name": c, "type": types.get(c, "string"), "description": c}
                        for c in columns
                    ],
                    "missingValues": [""],
                },
                "academy": {
                    "adapter": {
                        "table": "service_requests",
                        "columns": {
                            "request_id": "ID",
                            "request_type": "Kind",
                            "agency": "Dept",
                            "created_at": "Opened",
                            "closed_at": "Closed",
                            "status": "State",
                            "status_raw": "State",
                            "neighborhood": "Area",
                            "council_district": "Ward",
                            "latitude": "Lat",
                            "longitude": "Lon",
                            "channel": "Via",
                        },
                        "dates": {
                            "created_at": {"format": "%Y-%m-%d %H:%M"},
                            "closed_at": {"format": "%Y-%m-%d %H:%M"},
                        },
                        "not_published": {
                            "due_at": "Testville does not publish due dates.",
                            "address": "Testville does not publish addresses.",
                            "duplicate": "Testville does not mark repeated requests.",
                            "duplicate_of": "Testville does not mark repeated requests.",
                            "police_district": "Testville has no police districts in this file.",
                        },
                        "vocabularies": {"status": {"C": "closed", "O": "open", "N": "open"}},
                        "placeholders": [
                            {
                                "when": {"latitude": [0], "longitude": [0]},
                                "blank": ["latitude", "longitude"],
                                "reason": "0, 0 means no location.",
                            }
                        ],
                    }
                },
            }
        ],
    }


class Town:
    """A one-dataset academy: root with the specs, a mirror with the file, a cache."""

    def __init__(self, base: Path) -> None:
        self.root = base / "academy"
        self.mirror = base / "mirror"
        self.cache = base / "cache"
        self.data = CSV.encode()
        (self.root / "curriculum").mkdir(parents=True)
        (self.root / "curriculum" / "academy.yml").write_text("city: testville\n")
        (self.root / "datasets" / "testville").mkdir(parents=True)
        (self.root / "datasets" / "testville" / "city.yml").write_text(CITY_YML)
        self.package_file = self.root / "datasets" / DATASET / "datapackage.json"
        self.package_file.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / "datasets" / "canonical.yml", self.root / "datasets" / "canonical.yml")
        self.write_package(_package(self.data))
        (self.mirror / "testville").mkdir(parents=True)
        self.csv = self.mirror / "testville" / "requests.csv"
        self.csv.write_bytes(self.data)

    def write_package(self, package: dict) -> None:
        self.package_file.write_text(json.dumps(package, indent=2) + "\n")

    def package(self) -> dict:
        return json.loads(self.package_file.read_text())

    def adapter(self, package: dict) -> dict:
        return package["resources"][0]["academy"]["adapter"]

    def line_of(self, needle: str) -> int:
        lines = self.package_file.read_text().splitlines()
        return next(i for i, line in enumerate(lines, 1) if needle in line)


@pytest.fixture
def town(tmp_path, monkeypatch) -> Town:
    made = Town(tmp_path)
    monkeypatch.setenv("ACADEMY_DATA_DIR", str(made.mirror))
    monkeypatch.setenv("ACADEMY_CACHE_DIR", str(made.cache))
    monkeypatch.delenv(NOTEBOOK_CITY_ENV, raising=False)
    monkeypatch.delenv("ACADEMY_ROOT", raising=False)
    return made


@pytest.fixture
def sha256_calls(monkeypatch) -> list[int]:
    """Records each sha256 started by academy.data.fetch (one per file hashed)."""
    calls: list[int] = []
    real_sha256 = hashlib.sha256

    def counting(*args):
        calls.append(1)
        return real_sha256(*args)

    monkeypatch.setattr(fetch_module.hashlib, "sha256", counting)
    return calls


def test_table_maps_the_fixture_to_canonical_columns(town):
    frame = table("service_requests", root=town.root)
    assert list(frame["request_id"]) == ["1", "2", "3"]
    assert list(frame["status"]) == ["closed", "open", "open"]
    assert list(frame["status_raw"]) == ["C", "O", "N"]
    assert frame.loc[0, "created_at"] == pd.Timestamp("2020-01-02 08:00")
    assert frame["closed_at"].isna().tolist() == [False, True, True]
    assert frame["due_at"].isna().all()  # not mapped: optional, so missing
    assert frame["latitude"].tolist()[0] == 40.1
    assert frame[["latitude", "longitude"]].iloc[1:].isna().all().all()  # 0,0 placeholder
    assert frame["council_district"].tolist() == [1, 2, pd.NA]
    assert canonical_tables(town.root, "testville") == {"service_requests"}


def test_missing_file_names_the_dataset_the_file_and_the_fix(town):
    town.csv.unlink()
    with pytest.raises(AcademyError) as caught:
        table("service_requests", root=town.root)
    message = str(caught.value)
    assert DATASET in message and "requests.csv" in message
    assert f"academy data pull {DATASET}" in message and "ACADEMY_DATA_DIR" in message
    assert "\n" not in message


def test_altered_file_is_a_checksum_error(town):
    town.csv.write_bytes(town.data.replace(b"Pothole", b"Potho1e"))  # same size, other bytes
    with pytest.raises(AcademyError, match="does not match its pin") as caught:
        dataset_path(DATASET, root=town.root)
    assert DATASET in str(caught.value) and "datapackage.json" in str(caught.value)


def test_checksum_is_computed_once_per_file_version(town, sha256_calls):
    for _ in range(3):
        dataset_path(DATASET, root=town.root)
    assert len(sha256_calls) == 1
    town.csv.write_bytes(town.data + b"4,2020-01-07 12:00,,Pothole,Streets,N,,,,,App\n")
    with pytest.raises(AcademyError, match="does not match its pin"):
        dataset_path(DATASET, root=town.root)
    assert len(sha256_calls) == 2  # a changed file is checked again


def test_cache_is_keyed_by_file_and_adapter(town):
    table("service_requests", root=town.root)
    first = sorted(p.name for p in (town.cache / "tables").rglob("*.parquet"))
    assert len(first) == 1 and first[0].startswith("service_requests-requests-")
    assert first[0].split("-")[2] == _sha(town.data)[:16]
    package = town.package()
    town.adapter(package)["vocabularies"]["status"]["N"] = "closed"
    town.write_package(package)
    frame = table("service_requests", root=town.root)
    assert frame["status"].tolist() == ["closed", "open", "closed"]  # not the stale cache
    assert len(list((town.cache / "tables").rglob("*.parquet"))) == 2


def test_bad_mapping_gives_findings_with_lines(town):
    package = town.package()
    adapter = town.adapter(package)
    del adapter["columns"]["agency"]
    adapter["columns"]["request_type"] = "Kind of thing"
    adapter["columns"]["channel_name"] = "Via"
    town.write_package(package)
    findings = validate_datasets(town.root)
    rules = {(f.rule, f.line) for f in findings}
    shown = "datasets/testville/requests/datapackage.json"
    assert all(f.path == shown for f in findings if f.rule.startswith("adapter"))
    assert ("adapter-missing-field", town.line_of('"columns": {')) in rules
    assert ("adapter-unknown-column", town.line_of('"request_type": "Kind of thing"')) in rules
    assert ("adapter-unknown-field", town.line_of('"channel_name"')) in rules
    missing = next(f for f in findings if f.rule == "adapter-missing-field")
    assert "agency" in missing.message
    unknown = next(f for f in findings if f.rule == "adapter-unknown-column")
    assert "'Kind of thing'" in unknown.message and "requests.csv" in unknown.message
    with pytest.raises(AcademyError, match="'agency' is neither mapped nor declared"):
        table("service_requests", root=town.root)


def test_column_in_schema_but_not_in_the_file_header(town):
    package = town.package()
    package["resources"][0]["schema"]["fields"][3]["name"] = "Type"
    town.adapter(package)["columns"]["request_type"] = "Type"
    town.write_package(package)
    rules = {f.rule for f in validate_datasets(town.root)}
    assert {"schema-header-mismatch", "adapter-unknown-column"} <= rules
    town.csv.unlink()  # without the file only the Table Schema is checked: it fits now
    rules = {f.rule for f in validate_datasets(town.root)}
    assert "adapter-unknown-column" not in rules and "schema-header-mismatch" not in rules


def test_raw_value_missing_from_the_vocabulary(town):
    package = town.package()
    del town.adapter(package)["vocabularies"]["status"]["N"]
    town.write_package(package)
    finding = next(f for f in validate_datasets(town.root) if f.rule == "adapter-vocabulary")
    assert "'N'" in finding.message
    with pytest.raises(AcademyError) as caught:
        table("service_requests", root=town.root)
    assert "'N'" in str(caught.value) and "datapackage.json" in str(caught.value)


def test_wrong_date_format_is_reported(town):
    package = town.package()
    town.adapter(package)["dates"]["created_at"]["format"] = "%d/%m/%Y"
    town.write_package(package)
    finding = next(f for f in validate_datasets(town.root) if f.rule == "adapter-does-not-fit")
    assert "2020-01-02 08:00" in finding.message and "%d/%m/%Y" in finding.message


def test_malformed_json_and_committed_data(town):
    (town.root / "datasets" / DATASET / "stray.csv").write_text("a\n1\n")
    town.package_file.write_text('{\n  "name": "x",\n  "title": oops\n}\n')
    findings = validate_datasets(town.root)
    assert ("datapackage-json", 3) in {(f.rule, f.line) for f in findings}
    assert "dataset-file-committed" in {f.rule for f in findings}
    with pytest.raises(AcademyError, match=r"datapackage.json:3: datapackage-schema: invalid JSON"):
        table("service_requests", root=town.root)


def test_unknown_academy_key_is_a_schema_finding(town):
    package = town.package()
    package["academy"]["licence"] = "made up"
    town.write_package(package)
    finding = next(f for f in validate_datasets(town.root) if f.rule == "datapackage-schema")
    assert finding.line == town.line_of('"licence"') and "licence" in finding.message


def test_unreadable_csv_is_a_clear_error(town):
    bad = b'ID,Opened\n1,"unterminated\n' + b"\xff\xfe" * 10
    package = town.package()
    package["resources"][0]["bytes"] = len(bad)
    package["resources"][0]["hash"] = f"sha256:{_sha(bad)}"
    town.write_package(package)
    town.csv.write_bytes(bad)
    with pytest.raises(AcademyError, match=r"testville/requests: cannot read .*requests.csv"):
        raw(DATASET, root=town.root)


def test_unknown_city_and_dataset(town, monkeypatch):
    monkeypatch.setenv(NOTEBOOK_CITY_ENV, "atlantis")
    with pytest.raises(AcademyError, match=r"no datasets for city 'atlantis'.*testville"):
        table("service_requests", root=town.root)
    with pytest.raises(AcademyError, match="did you mean testville/requests"):
        raw("testville/request", root=town.root)


@pytest.fixture
def http_folder(tmp_path):
    """Serve a folder on 127.0.0.1 for the length of a test."""
    folder = tmp_path / "served"
    folder.mkdir()
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_pull_downloads_verifies_and_caches(town, http_folder, monkeypatch):
    folder, base = http_folder
    monkeypatch.delenv("ACADEMY_DATA_DIR")
    (folder / "requests.csv").write_bytes(town.data)
    info = get_dataset(DATASET, town.root).model_copy(update={"url": f"{base}/requests.csv"})
    result = pull_one(info)
    assert result.action == "downloaded"
    assert result.path == town.cache / "testville" / "requests.csv"
    assert result.path.read_bytes() == town.data
    assert pull_one(info).action == "cached"
    assert table("service_requests", root=town.root)["request_id"].tolist() == ["1", "2", "3"]


def test_pull_refuses_a_download_that_does_not_match(town, http_folder, monkeypatch):
    folder, base = http_folder
    monkeypatch.delenv("ACADEMY_DATA_DIR")
    (folder / "requests.csv").write_bytes(town.data + b"\n")
    info = get_dataset(DATASET, town.root).model_copy(update={"url": f"{base}/requests.csv"})
    with pytest.raises(AcademyError, match="does not match the sha256 pinned"):
        pull_one(info)
    assert not (town.cache / "testville" / "requests.csv").exists()
    gone = info.model_copy(update={"url": f"{base}/nothing-here.csv"})
    with pytest.raises(AcademyError, match="could not download"):
        pull_one(gone)


def test_cli_list_verify_profile(town):
    runner = CliRunner()
    listed = runner.invoke(data_app, ["list", "--root", str(town.root)])
    assert listed.exit_code == 0 and "testville/requests" in listed.output
    verified = runner.invoke(data_app, ["verify", "--root", str(town.root)])
    assert verified.exit_code == 0 and "ok" in verified.output
    profiled = runner.invoke(data_app, ["profile", DATASET, "--root", str(town.root)])
    assert profiled.exit_code == 0
    assert "3 rows" in profiled.output and "Coordinates of 0, 0 — 1 rows" in profiled.output
    town.csv.unlink()
    failed = runner.invoke(data_app, ["verify", "--root", str(town.root)])
    assert isinstance(failed.exception, AcademyError)
    assert "1 of 1 file(s) missing or altered" in str(failed.exception)


def test_pseudonyms_are_stable_and_never_the_name():
    name = "Doe,Jane Q"
    code = pseudonym(name)
    assert code == pseudonym(name) == pseudonym("  doe,jane   q ")
    assert code != name and code.startswith("Employee ") and len(code.split()[1]) == 8
    assert pseudonym(name, salt="other") != code
    frame = pd.DataFrame({"NAME": [name, "Roe,Richard", name, None], "PAY": [1, 2, 3, 4]})
    coded = pseudonymise_columns(frame, ["NAME"])
    assert coded["NAME"].iloc[0] == coded["NAME"].iloc[2] != coded["NAME"].iloc[1]
    assert pd.isna(coded["NAME"].iloc[3]) and frame["NAME"].iloc[0] == name  # input untouched
    assert not set(coded["NAME"].dropna()) & set(frame["NAME"].dropna())


def test_json_lines_locates_keys_and_items():
    text = '{\n  "a": 1,\n  "b": [\n    {"c": "x"},\n    {\n      "d": null\n    }\n  ]\n}\n'
    lines = json_lines(text)
    assert lines[("a",)] == 2 and lines[("b",)] == 3
    assert lines[("b", 0, "c")] == 4 and lines[("b", 1, "d")] == 6


def test_academy_yml_without_a_city(town):
    (town.root / "curriculum" / "academy.yml").write_text("name: Test\n")
    with pytest.raises(AcademyError, match=r"academy.yml:1: missing-city: .*--city"):
        table("service_requests", root=town.root)


# --- adapter features a city may need (issue 12): each with its failing fixture -----------


def _one_line(message: str) -> str:
    assert "\n" not in message
    return message


def _finding(town: Town, rule: str):
    found = [f for f in validate_datasets(town.root) if f.rule == rule]
    assert found, f"no {rule} finding"
    return found[0]


def test_fields_a_city_does_not_publish(town):
    frame = table("service_requests", root=town.root)
    assert frame["due_at"].isna().all() and frame["duplicate"].isna().all()
    assert frame["published_rows"].tolist() == [1, 1, 1]
    package = town.package()
    adapter = town.adapter(package)
    del adapter["not_published"]["due_at"]  # neither mapped nor declared
    adapter["not_published"]["request_type"] = "We do not say."  # required: cannot be declared
    del adapter["columns"]["request_type"]
    town.write_package(package)
    findings = [f for f in validate_datasets(town.root) if f.rule == "adapter-missing-field"]
    messages = {f.message: f.line for f in findings}
    due = next(m for m in messages if "'due_at'" in m)
    assert "not_published" in due and messages[due] == town.line_of('"columns": {')
    required = next(m for m in messages if "'request_type'" in m)
    assert "required" in required and messages[required] == town.line_of('"request_type": "We')


def _projected(lat: float, lon: float) -> tuple[float, float]:
    from pyproj import Transformer

    forward = Transformer.from_crs("EPSG:4326", "EPSG:2272", always_xy=True)  # PA South, ftUS
    return forward.transform(lon, lat)


def _rewrite_file(town: Town, text: str, package: dict | None = None) -> dict:
    data = text.encode()
    package = package or town.package()
    package["resources"][0]["bytes"] = len(data)
    package["resources"][0]["hash"] = f"sha256:{_sha(data)}"
    header = text.splitlines()[0].split(",")
    known = {f["name"]: f for f in package["resources"][0]["schema"]["fields"]}
    package["resources"][0]["schema"]["fields"] = [
        known.get(c, {"name": c, "type": "string", "description": c}) for c in header
    ]
    town.csv.write_bytes(data)
    town.write_package(package)
    return package


def test_state_plane_coordinates_become_latitude_and_longitude(town):
    x, y = _projected(40.1, -75.1)
    text = CSV.replace("Lat,Lon", "X,Y").replace("40.1,-75.1", f"{x:.3f},{y:.3f}")
    package = town.package()
    adapter = town.adapter(package)
    del adapter["columns"]["latitude"], adapter["columns"]["longitude"]
    adapter["coordinates"] = {"x": "X", "y": "Y", "crs": "EPSG:2272"}
    adapter["placeholders"] = [
        {
            "when_published": {"X": ["0"], "Y": ["0"]},
            "blank": ["latitude", "longitude"],
            "reason": "0, 0 means no location.",
        }
    ]
    package["academy"]["quality"] = []
    _rewrite_file(town, text, package)
    frame = table("service_requests", root=town.root)
    assert (
        abs(frame.loc[0, "latitude"] - 40.1) < 1e-6 and abs(frame.loc[0, "longitude"] + 75.1) < 1e-6
    )
    assert frame.loc[1:, "latitude"].isna().all()  # the 0, 0 placeholder and the blank row
    assert not [f for f in validate_datasets(town.root) if f.severity == "error"]
    # the feet mapped as if they were degrees: refused, with the file line and the fix
    adapter = town.adapter(package)
    del adapter["coordinates"]
    adapter["columns"].update({"latitude": "Y", "longitude": "X"})
    adapter["placeholders"] = []
    town.write_package(package)
    finding = _finding(town, "adapter-coordinates")
    assert "testville/requests.csv:2" in finding.message and '"coordinates"' in finding.message
    with pytest.raises(AcademyError) as caught:
        table("service_requests", root=town.root)
    assert "requests.csv:2: latitude" in _one_line(str(caught.value))
    # a CRS pyproj does not know
    adapter["columns"].pop("latitude"), adapter["columns"].pop("longitude")
    adapter["coordinates"] = {"x": "X", "y": "Y", "crs": "EPSG:999999"}
    town.write_package(package)
    finding = _finding(town, "adapter-coordinates")
    assert finding.line == town.line_of('"crs"') and "EPSG:999999" in finding.message


def test_points_far_outside_the_city_are_refused(town):
    text = CSV.replace("40.1,-75.1", "-75.1,40.1")  # latitude and longitude swapped
    _rewrite_file(town, text)
    finding = _finding(town, "adapter-coordinates-outside-city")
    assert finding.severity == "error" and "city.yml" in finding.message
    assert "testville/requests.csv:2" in finding.message and "swapped" in finding.message


def test_repeated_request_rows_keep_one_and_count_the_rest(town):
    text = CSV + (
        "2,2020-01-05 10:15,2020-01-08 09:00,Graffiti,Parks,C,South,2,40.2,-75.2,Web\n"
        "1,2020-01-02 08:00,2020-01-03 09:30,Pothole,Streets,C,North,1,40.1,-75.1,Phone\n"
    )
    package = town.package()
    town.adapter(package)["repeats"] = {"key": ["ID"], "keep": "last"}
    _rewrite_file(town, text, package)
    frame = table("service_requests", root=town.root)
    assert frame["request_id"].tolist() == ["3", "2", "1"]  # each at its last row
    assert frame["published_rows"].tolist() == [1, 2, 2]
    assert frame.set_index("request_id").loc["2", "status"] == "closed"  # the later row won
    assert len(raw(DATASET, root=town.root)) == 5  # the repeats stay in the published file
    town.adapter(package)["repeats"] = {"key": ["Request"], "keep": "first"}
    town.write_package(package)
    finding = _finding(town, "adapter-repeats")
    assert "'Request'" in finding.message and finding.line == town.line_of('"repeats"')


def test_status_beyond_open_and_closed(town):
    text = CSV.replace(",N,,,,,App", ",X,,,,,App")
    package = town.package()
    town.adapter(package)["vocabularies"]["status"].update({"X": "cancelled"})
    _rewrite_file(town, text, package)
    assert table("service_requests", root=town.root)["status"].tolist() == [
        "closed",
        "open",
        "cancelled",
    ]
    town.adapter(package)["vocabularies"]["status"]["X"] = "withdrawn"
    town.write_package(package)
    finding = _finding(town, "adapter-vocabulary")
    assert "'withdrawn'" in finding.message and "cancelled" in finding.message


def test_codes_looked_up_in_the_adapter_and_in_another_file(town):
    text = CSV.replace(",North,", ",1,").replace(",South,", ",2,")
    package = town.package()
    town.adapter(package)["lookups"] = {
        "neighborhood": {"values": {"1": "North End", "2": "Southside"}}
    }
    _rewrite_file(town, text, package)
    assert table("service_requests", root=town.root)["neighborhood"].tolist()[:2] == [
        "North End",
        "Southside",
    ]
    # from another pinned file of the same city
    areas = b"code,name\n1.0,North End\n2,Southside\n"
    other = town.root / "datasets" / "testville" / "areas" / "datapackage.json"
    other.parent.mkdir(parents=True)
    spec = _package(areas)
    spec["name"], spec["title"] = "testville-areas", "Testville areas"
    spec["academy"]["quality"] = []
    spec["resources"][0].update({"name": "areas", "path": "areas.csv"})
    spec["resources"][0]["schema"]["fields"] = [
        {"name": "code", "type": "string", "description": "Area code."},
        {"name": "name", "type": "string", "description": "Area name."},
    ]
    del spec["resources"][0]["academy"]
    other.write_text(json.dumps(spec, indent=2))
    (town.mirror / "testville" / "areas.csv").write_bytes(areas)
    town.adapter(package)["lookups"] = {
        "neighborhood": {"dataset": "testville/areas", "key": "code", "value": "name"}
    }
    town.write_package(package)
    assert table("service_requests", root=town.root)["neighborhood"].tolist()[:2] == [
        "North End",
        "Southside",
    ]
    # a code the lookup does not know: the line in the published file, and the fix
    town.csv.write_bytes(text.replace(",2,2,0,0", ",7,2,0,0").encode())
    _rewrite_file(town, text.replace(",2,2,0,0", ",7,2,0,0"), package)
    finding = _finding(town, "adapter-lookup")
    assert "testville/requests.csv:3" in finding.message and "'7'" in finding.message
    assert "add the code to the lookup" in finding.message


def test_placeholder_that_depends_on_another_column(town):
    text = CSV.replace(
        "2,2020-01-05 10:15,,Graffiti,Parks,O,South,2,0,0,Web",
        "2,2020-01-05 10:15,,Graffiti,Parks,O,,2,40.2,-75.2,Web",
    )
    package = town.package()
    town.adapter(package)["placeholders"] = [
        {
            "when": {"latitude": [40.2]},
            "when_published": {"Area": [None]},
            "blank": ["latitude", "longitude", "council_district"],
            "reason": "The system puts requests with no area at the depot.",
        }
    ]
    package["academy"]["quality"] = []
    _rewrite_file(town, text, package)
    frame = table("service_requests", root=town.root)
    assert frame.loc[1, ["latitude", "longitude", "council_district"]].isna().all()
    assert frame.loc[0, "latitude"] == 40.1
    town.adapter(package)["placeholders"][0]["when_published"] = {"Quarter": [None]}
    town.write_package(package)
    finding = _finding(town, "adapter-placeholder")
    assert "'Quarter'" in finding.message and finding.line == town.line_of('"Quarter"')


def test_a_mistyped_pin_is_found_by_validate_with_whole_hashes(town):
    package = town.package()
    good = package["resources"][0]["hash"]
    typo = good[:-3] + ("000" if not good.endswith("000") else "111")
    package["resources"][0]["hash"] = typo
    town.write_package(package)
    finding = _finding(town, "dataset-pin-mismatch")
    assert finding.line == town.line_of('"hash"')
    assert good.split(":")[1] in finding.message and typo.split(":")[1] in finding.message
    assert "pin was mistyped" in finding.message and good in finding.message
    # another size: the file is the one to replace
    package["resources"][0]["hash"] = good
    town.write_package(package)
    town.csv.write_bytes(town.data + b"\n")
    finding = _finding(town, "dataset-pin-mismatch")
    assert "replace the file in the mirror" in _one_line(finding.message)


def test_a_mirror_of_symlinks_works(town, tmp_path, monkeypatch):
    store = tmp_path / "store"
    store.mkdir()
    (store / "requests.csv").write_bytes(town.data)
    links = tmp_path / "links"
    (links / "testville").mkdir(parents=True)
    (links / "testville" / "requests.csv").symlink_to(store / "requests.csv")
    monkeypatch.setenv("ACADEMY_DATA_DIR", str(links))
    assert not [f for f in validate_datasets(town.root) if f.severity == "error"]
    assert table("service_requests", root=town.root)["request_id"].tolist() == ["1", "2", "3"]
    (store / "requests.csv").unlink()  # a dangling link says so
    with pytest.raises(AcademyError, match=r"link to .* which does not exist"):
        dataset_path(DATASET, root=town.root)


def test_an_unconfirmed_draft_is_refused_with_its_line(town):
    package = town.package()
    town.adapter(package)["columns"]["request_id"] = {  # the mark first: deleting its line
        "to_confirm": "unique in every row; check it is the request number.",  # leaves valid JSON
        "column": "ID",
    }
    town.write_package(package)
    finding = _finding(town, "draft-unconfirmed")
    assert finding.line == town.line_of('"to_confirm"')
    assert (
        "columns.request_id" in finding.message
        and "delete this 'to_confirm' line" in finding.message
    )
    with pytest.raises(AcademyError, match=r"datapackage.json:\d+: draft-unconfirmed"):
        table("service_requests", root=town.root)
    lines = town.package_file.read_text().splitlines()
    town.package_file.write_text("\n".join(x for x in lines if "to_confirm" not in x) + "\n")
    assert table("service_requests", root=town.root)["request_id"].tolist() == ["1", "2", "3"]


def test_city_facts_are_required_and_checked(town):
    facts = town.root / "datasets" / "testville" / "city.yml"
    facts.write_text(CITY_YML.replace("south: 39.9", "south: 40.9"))
    finding = _finding(town, "city-facts-schema")
    assert finding.path == "datasets/testville/city.yml" and "south" in finding.message
    facts.unlink()
    finding = _finding(town, "city-facts-missing")
    assert "academy data init" in finding.message


def test_a_leading_index_column_is_left_out(town):
    text = (
        "\n".join(
            [
                ",".join(["", *line.split(",")]) if i == 0 else f"{i - 1}," + line
                for i, line in enumerate(CSV.splitlines())
            ]
        )
        + "\n"
    )
    package = town.package()
    package["resources"][0]["academy"]["read"] = {"index_column": True}
    data = text.encode()
    package["resources"][0]["bytes"], package["resources"][0]["hash"] = (
        len(data),
        f"sha256:{_sha(data)}",
    )
    town.csv.write_bytes(data)
    town.write_package(package)
    assert not [f for f in validate_datasets(town.root) if f.severity == "error"]
    assert list(raw(DATASET, root=town.root).columns) == CSV.splitlines()[0].split(",")


def test_a_frictionless_field_error_names_the_field_and_its_line(town):
    package = town.package()
    package["resources"][0]["schema"]["fields"][1]["format"] = "%Y-%m-%d %H:%M"  # on a string
    town.write_package(package)
    finding = next(
        f for f in validate_datasets(town.root) if f.message.startswith("Frictionless: field")
    )
    assert finding.rule == "datapackage-schema" and "'Opened'" in finding.message
    assert "datetime" in finding.message and finding.line == town.line_of('"format": "%Y-%m-%d')
