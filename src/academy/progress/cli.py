"""`academy progress …`: the progress database's schema, by hand.

Every store upgrades its database when it first connects, so these are for the people
who run a hub: see where a database stands, or upgrade it once from the hub's machine
before the learners' servers start.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(
    help="The progress database: its schema revision and upgrades.", no_args_is_help=True
)
out = Console(soft_wrap=True)

UrlOpt = Annotated[
    str | None,
    typer.Option(
        "--url", help="SQLAlchemy URL (default $ACADEMY_PROGRESS_URL or the local SQLite file)."
    ),
]


@app.command("status")
def status_cmd(url: UrlOpt = None) -> None:
    """Show the database's schema revision and the newest one this academy has."""
    from academy.progress.store import ProgressStore

    store = ProgressStore(url)
    state = store.schema_state()
    current = state.current or "empty"
    if state.legacy:
        current += " (made before migrations; upgraded on first use)"
    out.print(f"{store.shown_url}: schema {current}; this academy's newest is {state.head}.")


@app.command("upgrade")
def upgrade_cmd(url: UrlOpt = None) -> None:
    """Upgrade the database to the newest schema (keeps every record)."""
    from academy.progress.store import ProgressStore

    store = ProgressStore(url)
    before = store.schema_state()
    after = store.schema_state(upgrade=True)
    if before.up_to_date:
        out.print(f"{store.shown_url}: already at schema {after.head}.")
    else:
        out.print(
            f"{store.shown_url}: upgraded from {before.current or 'empty'} to {after.current}."
        )
