"""Bring a progress database to the newest schema with Alembic, never losing a record.

- a new, empty database is created by running every revision;
- a database from before migrations existed (tables made by `create_all`, no
  `alembic_version`) is marked as revision 0001, which is exactly what it holds, and
  upgraded from there;
- an up-to-date database costs one small query;
- a database newer than this academy (another server already upgraded) is refused with a
  message saying so, instead of writing rows the newer schema does not expect.

Many processes may open the store at once (every learner kernel does): the upgrade runs
under a lock (a PostgreSQL advisory lock held for the migration's transaction, or a lock
file next to a SQLite database), and whoever gets it second finds nothing left to do.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from academy.core.errors import AcademyError

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).parent / "migrations"
#: The revision an unversioned database (tables from `create_all`) is at.
BASELINE = "0001"
#: Any 64-bit number the academy alone uses for pg_advisory_xact_lock.
PG_LOCK_KEY = 0x41434144454D59  # "ACADEMY"


@dataclass(frozen=True)
class SchemaState:
    """Where a database stands."""

    current: str | None
    head: str
    legacy: bool

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


@cache
def _scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS))


def head_revision() -> str:
    """The newest revision in `migrations/versions`."""
    head = _scripts().get_current_head()
    assert head is not None
    return head


def known_revisions() -> list[str]:
    """Every revision, oldest first."""
    return [s.revision for s in reversed(list(_scripts().walk_revisions()))]


def _current(connection: Connection) -> tuple[str | None, bool]:
    """(revision, legacy): the stored revision, or BASELINE for a create_all database."""
    names = set(inspect(connection).get_table_names())
    if "alembic_version" in names:
        row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
        if row is not None:
            return str(row[0]), False
    if "attempts" in names:
        return BASELINE, True
    return None, False


def schema_state(engine: Engine) -> SchemaState:
    with engine.connect() as connection:
        current, legacy = _current(connection)
    return SchemaState(current=current, head=head_revision(), legacy=legacy)


@contextlib.contextmanager
def _sqlite_lock(engine: Engine) -> Iterator[None]:
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    lock = Path(f"{database}.migrate-lock")
    with lock.open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _alembic_config(connection: Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _refuse_newer(url: str, current: str | None) -> None:
    if current is not None and current not in known_revisions():
        raise AcademyError(
            f"{url}: the progress database is at schema revision {current}, newer than this "
            f"academy knows ({head_revision()}); upgrade the academy on this machine "
            "(or point ACADEMY_PROGRESS_URL at the right database)"
        )


def upgrade(engine: Engine) -> SchemaState:
    """Upgrade the database to the newest revision (a no-op when it is there already)."""
    from alembic import command

    state = schema_state(engine)
    url = engine.url.render_as_string(hide_password=True)
    _refuse_newer(url, state.current)
    if state.up_to_date:
        return state
    dialect = engine.dialect.name
    lock = _sqlite_lock(engine) if dialect == "sqlite" else contextlib.nullcontext()
    with lock, engine.begin() as connection:
        if dialect == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})
        current, legacy = _current(connection)  # again, now that we hold the lock
        _refuse_newer(url, current)
        config = _alembic_config(connection)
        if legacy:
            command.stamp(config, BASELINE)
        if current != head_revision():
            command.upgrade(config, "head")
    return schema_state(engine)
