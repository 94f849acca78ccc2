"""The progress store's schema is made and upgraded by Alembic, on SQLite and PostgreSQL,
and an upgrade never loses a record."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    inspect,
    select,
    text,
)

from academy.core.errors import AcademyError
from academy.progress import migrate
from academy.progress.schema import metadata
from academy.progress.store import ProgressStore

T0 = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'progress.sqlite'}"
    return request.getfixturevalue("postgres_url")


def legacy_database(url: str) -> None:
    """Tables exactly as the academy made them with create_all before it used migrations,
    holding the records an older academy wrote."""
    old = MetaData()
    attempts = Table(
        "attempts",
        old,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("learner", String(200), nullable=False, index=True),
        Column("lesson", String(200), nullable=False, index=True),
        Column("step", Integer, nullable=False),
        Column("attempt", Integer, nullable=False),
        Column("correct", Boolean, nullable=False),
        Column("answer", Text, nullable=True),
        Column("at", DateTime(timezone=True), nullable=False),
    )
    lessons = Table(
        "lessons",
        old,
        Column("lesson", String(200), primary_key=True),
        Column("title", String(300), nullable=False, default=""),
        Column("steps_total", Integer, nullable=False),
    )
    engine = create_engine(url)
    old.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            lessons.insert().values(lesson="good-data/duplicates", title="D", steps_total=3)
        )
        conn.execute(
            attempts.insert(),
            [
                {
                    "learner": learner,
                    "lesson": "good-data/duplicates",
                    "step": step,
                    "attempt": 1,
                    "correct": True,
                    "answer": json.dumps({"row": step}),
                    "at": T0,
                }
                for learner in ("maria", "dev", "Ana P.")
                for step in (1, 2, 3)
            ],
        )
    engine.dispose()


def schema_differences(url: str) -> list:
    engine = create_engine(url)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    return diffs


def test_new_database_is_created_by_the_migrations(url) -> None:
    store = ProgressStore(url)
    store.record("maria", "c/l", 1, 1, True, None)
    engine = create_engine(url)
    with engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert version == migrate.head_revision()
    assert schema_differences(url) == []


def test_legacy_database_upgraded_without_losing_a_record(url) -> None:
    legacy_database(url)
    store = ProgressStore(url)
    before = store.attempts()
    assert len(before) == 9
    assert {a.learner for a in before} == {"maria", "dev", "Ana P."}
    assert before[0].answer == {"row": 1} and before[0].at == T0
    assert len({a.uid for a in before}) == 9 and all(len(a.uid) == 36 for a in before)
    assert all(a.roster_id is None and a.identified_by == "typed" for a in before)
    assert store.steps_total() == {"good-data/duplicates": 3}
    assert schema_differences(url) == []
    # the old records count exactly as before
    summaries = {s.learner: s for s in store.lesson_summaries()}
    assert all(s.completed and s.steps_done == 3 for s in summaries.values())
    # and new ones go in beside them
    store.record("maria", "good-data/duplicates", 1, 2, True, None, roster_id="mgarcia")
    assert len(store.attempts()) == 10


def test_every_revision_upgrades_with_its_records(url) -> None:
    """From each older revision (holding a record) to the newest one."""
    from alembic import command

    for revision in migrate.known_revisions()[:-1]:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS learner_links"))
            conn.execute(text("DROP TABLE IF EXISTS attempts"))
            conn.execute(text("DROP TABLE IF EXISTS lessons"))
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        with engine.begin() as conn:
            command.upgrade(migrate._alembic_config(conn), revision)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO attempts (learner, lesson, step, attempt, correct, answer, at) "
                    "VALUES ('old', 'c/l', 1, 1, :t, NULL, :at)"
                ),
                {"t": True, "at": T0},
            )
        engine.dispose()
        got = ProgressStore(url).attempts()
        assert [(a.learner, a.step, a.at) for a in got] == [("old", 1, T0)], revision
        assert schema_differences(url) == [], revision


def test_newer_database_is_refused_in_one_line(url) -> None:
    ProgressStore(url).record("a", "c/l", 1, 1, True, None)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(AcademyError) as caught:
        ProgressStore(url).attempts()
    message = str(caught.value)
    assert "9999" in message and "newer than this academy" in message and "\n" not in message


def test_schema_module_and_migrations_agree_on_every_table(url) -> None:
    ProgressStore(url).steps_total()
    engine = create_engine(url)
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    engine.dispose()
    assert tables == set(metadata.tables)


def test_migration_runs_once_when_many_open_at_once(url) -> None:
    """Eight processes open a fresh database at the same moment."""
    import subprocess
    import sys

    code = (
        "import sys; from academy.progress.store import ProgressStore; "
        "s = ProgressStore(sys.argv[1]); "
        "[s.record(sys.argv[2], 'c/l', i % 5 + 1, i, True, i) for i in range(1, 26)]"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, url, f"learner{n}"]) for n in range(8)]
    assert [p.wait(timeout=300) for p in procs] == [0] * 8
    engine = create_engine(url)
    with engine.connect() as conn:
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        count = conn.execute(select(metadata.tables["attempts"].c.id)).all()
    engine.dispose()
    assert versions == [(migrate.head_revision(),)]
    assert len(count) == 8 * 25


def test_progress_commands(tmp_path) -> None:
    import subprocess

    academy = str(Path(sys.executable).parent / "academy")
    url = f"sqlite:///{tmp_path / 'p.sqlite'}"
    legacy_database(url)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([academy, "progress", *args], capture_output=True, text=True)

    assert "schema 0001 (made before migrations" in run("status", "--url", url).stdout
    assert f"upgraded from 0001 to {migrate.head_revision()}" in run("upgrade", "--url", url).stdout
    assert "already at schema" in run("upgrade", "--url", url).stdout
    assert len(ProgressStore(url).attempts()) == 9
    down = run("status", "--url", "postgresql+psycopg://academy@127.0.0.1:9/none")
    assert down.returncode == 1
    assert down.stderr.startswith("error: ") and down.stderr.count("\n") == 1
    assert "cannot be reached" in down.stderr and "Traceback" not in down.stderr
