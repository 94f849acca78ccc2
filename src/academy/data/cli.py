"""`academy data …`: list, pull, verify, profile datasets and rewrite their cards.

Mounted by the main CLI with `app.add_typer(data_cli.app, name="data")`. Each command
calls one library function and prints what it returns; user errors are AcademyError,
which the main CLI prints as one line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn
from rich.table import Table

from academy.core.errors import AcademyError
from academy.core.paths import find_root

app = typer.Typer(help="City datasets: list, pull, verify, profile, cards.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)

RootOpt = Annotated[
    Path | None, typer.Option("--root", help="Academy checkout (default: found from here).")
]


def _root(root: Path | None) -> Path:
    return find_root(root)


@app.command("list")
def list_cmd(root: RootOpt = None) -> None:
    """Every dataset: id, canonical table, file and whether it is available here."""
    from academy.data.catalogue import list_datasets
    from academy.data.fetch import check_file, unpackaged_files

    table = Table("dataset", "table", "file", "bytes", "here")
    for info in list_datasets(_root(root)):
        state = check_file(info)
        here = {"ok": state.origin or "ok", "missing": "-", "mismatch": "ALTERED"}[state.status]
        table.add_row(info.id, info.table or "", info.file, f"{info.bytes:,}", here)
    out.print(table)
    for name in unpackaged_files(_root(root)):
        city = name.partition("/")[0]
        out.print(
            f"In the mirror but not described yet: {name} "
            f"(`academy data init <mirror>/{name} --city {city} --dataset NAME`)",
            highlight=False,
        )


class _RichBar:
    """The tqdm-like object pooch drives, backed by a rich progress task."""

    def __init__(self, progress: Progress, label: str) -> None:
        self.progress = progress
        self.task = progress.add_task(label, total=None)
        self._total = 0

    @property
    def total(self) -> int:
        return self._total

    @total.setter
    def total(self, value: int) -> None:
        self._total = value
        self.progress.update(self.task, total=value)

    def update(self, n: int) -> None:
        self.progress.advance(self.task, n)

    def reset(self) -> None:
        self.progress.reset(self.task, total=self._total or None)

    def close(self) -> None:
        self.progress.update(self.task, completed=self._total or None)


@app.command("pull")
def pull_cmd(
    ids: Annotated[list[str] | None, typer.Argument(help="Dataset ids (default: all).")] = None,
    root: RootOpt = None,
) -> None:
    """Fetch pinned files into the cache, verifying each sha256 (mirror files are used as is)."""
    from academy.data.fetch import cache_dir, pull_one, to_pull

    infos = to_pull(ids, _root(root))
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
    )
    failures: list[str] = []
    with Progress(*columns, console=err) as progress:
        for info in infos:
            try:
                result = pull_one(info, progressbar=_RichBar(progress, info.id))
            except AcademyError as exc:
                failures.append(str(exc))
                continue
            out.print(f"{result.dataset_id}: {result.action} ({result.path})")
    if failures:
        raise AcademyError(
            f"{len(failures)} of {len(infos)} dataset(s) not pulled; first: {failures[0]}"
        )
    out.print(f"{len(infos)} dataset(s) ready; cache: {cache_dir()}")


@app.command("verify")
def verify_cmd(root: RootOpt = None) -> None:
    """Check every dataset's local file against its pinned size and sha256."""
    from academy.data.fetch import verify

    checks = verify(_root(root))
    for check in checks:
        style = {"ok": "green", "missing": "yellow", "mismatch": "red"}[check.status]
        out.print(f"[{style}]{check.status:8}[/{style}] {check.message}", highlight=False)
    bad = [c for c in checks if c.status != "ok"]
    if bad:
        raise AcademyError(
            f"{len(bad)} of {len(checks)} file(s) missing or altered; "
            "run `academy data pull` or fix ACADEMY_DATA_DIR"
        )


@app.command("profile")
def profile_cmd(dataset_id: str, root: RootOpt = None) -> None:
    """Rows, columns, types, missing values and known problems of one dataset."""
    from academy.data.profile import profile_dataset

    profile = profile_dataset(dataset_id, _root(root))
    info = profile.info
    out.print(f"[bold]{info.title}[/bold] ({info.id})")
    out.print(f"{profile.path}: {profile.rows:,} rows, {len(profile.columns)} columns")
    table = Table("column", "type", "dtype", "missing", "distinct", "example")
    for column in profile.columns:
        table.add_row(
            repr(column.name) if column.name != column.name.strip() else column.name,
            column.schema_type,
            column.dtype,
            f"{column.missing:,}",
            f"{column.distinct:,}",
            column.example[:30],
        )
    out.print(table)
    out.print("[bold]Known quality problems[/bold]")
    for result in profile.quality:
        found = "" if result.count is None else f" — {result.count:,} {result.unit}"
        examples = f" (e.g. {', '.join(map(str, result.examples))})" if result.examples else ""
        out.print(f"- {result.problem.title}{found}{examples}", highlight=False)


@app.command("init")
def init_cmd(
    file: Annotated[
        Path, typer.Argument(help="The file as the city publishes it (.csv, .xlsx, .geojson).")
    ],
    city: Annotated[
        str, typer.Option("--city", help="City id, a folder under datasets/ (e.g. st-louis).")
    ],
    dataset: Annotated[
        str, typer.Option("--dataset", help="Dataset name (e.g. service-requests-2024).")
    ],
    url: Annotated[
        str | None, typer.Option("--url", help="Immutable https URL of exactly this file, if any.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Draft again over an existing package.")
    ] = False,
    root: RootOpt = None,
) -> None:
    """Draft datasets/<city>/<dataset>/datapackage.json from the file; every proposal is marked to confirm."""
    from academy.data.draft import init_dataset

    root_path = _root(root)
    draft = init_dataset(file, city, dataset, root_path, url=url, force=force)
    out.print(f"wrote {draft.package_path.relative_to(root_path)}")
    if draft.city_path is not None:
        out.print(f"wrote {draft.city_path.relative_to(root_path)} (a new city)")
    what = f"an adapter to the canonical table {draft.table}" if draft.table else "no adapter"
    out.print(f"The draft has {what}; the file is read from {draft.data_path}.")
    for note in draft.notes:
        out.print(f"- note: {note}", highlight=False)
    out.print(
        f'{draft.marks} proposal(s) are marked "to_confirm". Check each one, then delete its '
        "line; `academy validate` lists those left, with their lines. Then run "
        "`academy data cards` and build.",
        highlight=False,
    )


@app.command("cards")
def cards_cmd(root: RootOpt = None) -> None:
    """Rewrite every dataset's README.md data card from datapackage.json and lesson usage."""
    from academy.data.cards import write_cards

    root_path = _root(root)
    changed = write_cards(root_path)
    for path in changed:
        out.print(f"wrote {path.relative_to(root_path)}")
    out.print(f"{len(changed)} card(s) changed")
