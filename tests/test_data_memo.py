"""Remembered data results (academy.data.memo): the same answers as a cold run, recomputed
whenever anything they depend on changes.

Most tests use the one-dataset academy of test_data_errors (its `town` fixture gives
each test an empty cache); the last one compares cached and cold results on the real data.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import test_data_errors
from test_data_errors import DATASET, Town

from academy.core.errors import AcademyError
from academy.data import cards as cards_module
from academy.data import dataset_path, list_datasets, validate_datasets
from academy.data import fetch as fetch_module
from academy.data import memo as memo_module
from academy.data import validation as validation_module
from academy.data.cards import dataset_page

REPO = Path(__file__).resolve().parents[1]
town = test_data_errors.town  # the fixture: a one-dataset academy with an empty cache
sha256_calls = test_data_errors.sha256_calls  # the fixture: counts files hashed


@pytest.fixture
def computed(monkeypatch) -> list[str]:
    """Records each datapackage checked and each dataset page drawn (cache misses)."""
    calls: list[str] = []
    check, render = validation_module._package_findings, cards_module._render_page

    def counting_check(shown, *args):
        calls.append(f"check {Path(shown).parent.name}")
        return check(shown, *args)

    def counting_render(info, *args):
        calls.append(f"page {info.id}")
        return render(info, *args)

    monkeypatch.setattr(validation_module, "_package_findings", counting_check)
    monkeypatch.setattr(cards_module, "_render_page", counting_render)
    return calls


def _break_adapter_column(town: Town) -> None:
    package = town.package()
    town.adapter(package)["columns"]["request_type"] = "Kind of thing"
    town.write_package(package)


def test_cached_findings_are_those_of_a_cold_run(town, computed, monkeypatch):
    _break_adapter_column(town)
    cold = validate_datasets(town.root)
    assert "adapter-unknown-column" in {f.rule for f in cold}
    assert validate_datasets(town.root) == cold
    assert computed == ["check requests"]  # the second run came from the cache
    monkeypatch.setenv("ACADEMY_CACHE_DIR", str(town.root.parent / "another-cache"))
    assert validate_datasets(town.root) == cold
    assert len(computed) == 2


def test_a_changed_datapackage_is_reported_after_a_cached_run(town, computed):
    clean = validate_datasets(town.root)
    assert [f.rule for f in clean] == ["dataset-card-stale"]  # fixture has no README.md
    _break_adapter_column(town)
    broken = validate_datasets(town.root)
    line = town.line_of('"request_type": "Kind of thing"')
    assert ("adapter-unknown-column", line) in {(f.rule, f.line) for f in broken}
    town.write_package(town.package() | {"title": "Renamed"})  # still broken, other text
    assert validate_datasets(town.root) == broken
    assert len(computed) == 3


def test_canonical_yml_and_the_data_file_are_part_of_the_key(town, computed):
    package = town.package()
    package["resources"][0]["schema"]["fields"][3]["name"] = "Type"
    town.write_package(package)
    assert "schema-header-mismatch" in {f.rule for f in validate_datasets(town.root)}
    town.csv.write_bytes(town.data.replace(b"Pothole", b"Potho1e"))  # altered: not checked
    assert "schema-header-mismatch" not in {f.rule for f in validate_datasets(town.root)}
    canonical = town.root / "datasets" / "canonical.yml"
    text = canonical.read_text()
    assert "  service_requests:\n" in text and "    fields:\n" in text
    start = text.index("  service_requests:\n")
    at = text.index("    fields:\n", start) + len("    fields:\n")
    required = "      - {name: ward_code, type: string, required: true, topic: which ward it is in, description: Ward.}\n"
    canonical.write_text(text[:at] + required + text[at:])
    missing = next(f for f in validate_datasets(town.root) if f.rule == "adapter-missing-field")
    assert "ward_code" in missing.message
    assert len(computed) == 3


def test_a_change_to_the_code_recomputes(town, computed, monkeypatch):
    validate_datasets(town.root)
    monkeypatch.setattr(memo_module, "code_version", lambda: "edited")
    validate_datasets(town.root)
    assert computed == ["check requests"] * 2


def test_digests_are_kept_across_runs_per_file_version(town, sha256_calls):
    dataset_path(DATASET, root=town.root)
    fetch_module._digests.clear()  # as in a new process
    sha256_calls.clear()  # count only what happens from here on
    dataset_path(DATASET, root=town.root)
    assert sha256_calls == []  # the verdict came from the cache: the file was not read
    before = town.csv.stat()
    town.csv.write_bytes(town.data.replace(b"Pothole", b"Potho1e"))  # same size
    os.utime(town.csv, ns=(before.st_atime_ns, before.st_mtime_ns))  # and same mtime
    with pytest.raises(AcademyError, match="does not match its pin"):
        dataset_path(DATASET, root=town.root)
    assert sha256_calls == [1]  # a rewrite changes the ctime, so the file is hashed again


def test_cached_page_is_the_cold_page_and_follows_its_inputs(town, computed):
    cold = dataset_page(DATASET, town.root)
    assert dataset_page(DATASET, town.root) == cold
    assert computed == [f"page {DATASET}"]
    lesson = town.root / "tracks" / "t" / "c" / "l.md"
    lesson.parent.mkdir(parents=True)
    lesson.write_text("---\nacademy:\n  datasets: [service_requests]\n---\n# Potholes\n")
    assert "- Lesson: Potholes (`tracks/t/c/l.md`)" in dataset_page(DATASET, town.root)
    assert len(computed) == 2
    town.csv.write_bytes(town.data.replace(b"Pothole", b"Potho1e"))
    with pytest.raises(AcademyError, match="does not match its pin"):
        dataset_page(DATASET, town.root)  # an altered file is an error, cached page or not


@pytest.mark.skipif(not os.environ.get("ACADEMY_DATA_DIR"), reason="needs the data mirror")
def test_real_data_cached_results_equal_cold_ones(tmp_path, monkeypatch, computed):
    monkeypatch.setenv("ACADEMY_CACHE_DIR", str(tmp_path / "cache"))
    findings = validate_datasets(REPO)
    ids = ["baltimore/employee-salaries-fy2018", "pittsburgh/neighborhoods"]
    pages = [dataset_page(i, REPO) for i in ids]
    computed.clear()
    assert validate_datasets(REPO) == findings
    assert [dataset_page(i, REPO) for i in ids] == pages
    assert computed == []
    assert len(list((tmp_path / "cache" / "memo" / "package-findings").glob("*.json"))) == len(
        list_datasets(REPO)
    )
