"""A new, empty nbgrader gradebook, made in-process.

nbgrader's `Gradebook` creates a missing database itself, but asks the `alembic` command
for the schema version first: a subprocess that takes seconds and needs the environment's
bin folder on PATH. This writes the same tables and version stamp directly, after which
nbgrader treats the file like any gradebook it made.
"""

from __future__ import annotations

from pathlib import Path


def schema_version() -> str:
    """nbgrader's current database revision (what `alembic heads` prints)."""
    import nbgrader.api
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    here = Path(nbgrader.api.__file__).parent
    config = Config()
    config.set_main_option("script_location", str(here / "alembic"))
    return ScriptDirectory.from_config(config).get_current_head()


def create_gradebook(path: Path) -> None:
    """Create the gradebook file at `path` (which must not exist yet)."""
    from nbgrader.api import Base
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{path}", future=True)
    try:
        Base.metadata.create_all(bind=engine)
        with engine.begin() as connection:
            connection.execute(
                text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
            )
            connection.execute(
                text("INSERT INTO alembic_version (version_num) VALUES (:v)"),
                {"v": schema_version()},
            )
    finally:
        engine.dispose()
