"""The `academy` command. Each command parses options, calls one library function and
prints its result; errors are one readable line (``--debug`` shows the traceback).

The city: ``--city`` of `validate`, `build` and `cohort create`, else ``$ACADEMY_CITY``
(read here and by the cohort commands' options, nowhere else), else the ``city:`` of
curriculum/academy.yml. The library takes the city as an argument; notebook kernels
learn it from whatever starts them (see `academy.data.city`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

from academy.cohort import cli as cohort_cli
from academy.core import defaults
from academy.core.errors import AcademyError
from academy.core.paths import build_dir, find_root
from academy.data import cli as data_cli
from academy.data.city import CITY_ENV
from academy.progress import cli as progress_cli

app = typer.Typer(
    help="City Data Academy: build, check and serve the academy.", no_args_is_help=True
)
out = Console()
err = Console(stderr=True)
_debug = {"on": False}
app.add_typer(data_cli.app, name="data")
app.add_typer(cohort_cli.app, name="cohort")
app.add_typer(progress_cli.app, name="progress")

RootOpt = Annotated[
    Path | None, typer.Option("--root", help="Academy checkout (default: found from here).")
]
BuildDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--build-dir", help="Folder the academy is built into (default: build/ in the checkout)."
    ),
]
CityOpt = Annotated[
    str | None,
    typer.Option(
        "--city",
        envvar=CITY_ENV,
        help="City whose data to use (a folder under datasets/) instead of academy.yml's.",
    ),
]


def _city(city: str | None) -> str | None:
    """The chosen city, or None for academy.yml's (a blank $ACADEMY_CITY counts as unset)."""
    return (city or "").strip() or None


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    _debug["on"] = debug


def _root(root: Path | None) -> Path:
    return find_root(root)


@app.command("validate")
def validate_cmd(
    root: RootOpt = None,
    city: CityOpt = None,
    format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Check every curriculum, lesson, exercise and dataset file; exit 1 on any error."""
    from academy.checks.registry import errors, run_validation

    result = run_validation(_root(root), _city(city))
    findings = result.findings
    if format == "json":
        out.print_json(json.dumps([f.as_dict() for f in findings]))
    else:
        for finding in findings:
            print(finding)
        print(
            f"{len(errors(findings))} error(s), {len(findings) - len(errors(findings))} warning(s)",
            file=sys.stderr,
        )
        needs = sorted({name for names in result.skipped.values() for name in names})
        if needs:
            print(
                f"{len(result.skipped)} check(s) wait for {', '.join(needs)} to be readable; "
                "fix those first, then run again",
                file=sys.stderr,
            )
    raise typer.Exit(1 if errors(findings) else 0)


@app.command("build")
def build_cmd(
    root: RootOpt = None,
    city: CityOpt = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Books built at once.")] = 2,
    build_directory: BuildDirOpt = None,
) -> None:
    """Validate, build every course book and the portal into build/site."""
    from academy.build.pipeline import ValidationFailed, build

    columns = (
        TextColumn("{task.description:<10}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    )
    try:
        with Progress(*columns, console=err, transient=False) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(step: str, done: int, total: int) -> None:
                if step not in tasks:
                    tasks[step] = bar.add_task(step, total=total)
                bar.update(tasks[step], completed=done, total=total)

            report = build(
                _root(root), city=_city(city), workers=jobs, progress=progress, out=build_directory
            )
    except ValidationFailed as exc:
        for finding in exc.findings:
            print(finding)
        raise
    for book in report.books:
        out.print(f"  {book.course_id}: {book.status} ({book.seconds:.1f} s)")
    timing = ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items())
    out.print(f"Built {report.site} for {report.city}: {timing}")


@app.command("serve")
def serve_cmd(
    root: RootOpt = None,
    build_directory: BuildDirOpt = None,
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = defaults.SERVE_PORT,
    host: Annotated[
        str, typer.Option("--host", help="Address to bind; only change this on purpose.")
    ] = defaults.SERVE_HOST,
    cohort: Annotated[
        str | None,
        typer.Option(
            "--cohort",
            help="Serve this cohort: learners sign in with its roster; warm kernels for all of them.",
        ),
    ] = None,
    class_size: Annotated[
        int | None,
        typer.Option(
            "--class-size",
            help="Warm kernels kept ready (default 30, or the cohort's roster size; 0: none).",
        ),
    ] = None,
    memory_budget: Annotated[
        int,
        typer.Option(
            "--memory-budget", help="MB all lesson kernels may use (default: half the machine's)."
        ),
    ] = 0,
    cull_idle: Annotated[
        int,
        typer.Option("--cull-idle", help="Stop a learner's kernel after this many idle seconds."),
    ] = defaults.CULL_IDLE_SECONDS,
) -> None:
    """Serve the built site and every click-through lesson on http://HOST:PORT/."""
    from academy.serve.server import academy_server, lessons_built, site_server

    build = build_directory or build_dir(_root(root))
    if not lessons_built(build):
        server = site_server(build / "site", host=host, port=port)
        out.print(
            f"Serving the academy at http://{host}:{port}/ (no click-through lessons built; Ctrl+C to stop)"
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
        return
    from academy.serve.kernels import DEFAULT_CLASS_SIZE
    from academy.serve.voila import ServerOptions

    roster: tuple[tuple[str, str], ...] = ()
    cohort_track = certificate_needs = None
    if cohort:
        import functools

        from academy.cohort.certificates import learner_needs
        from academy.cohort.folder import open_cohort
        from academy.cohort.roster import roster as cohort_roster
        from academy.serve.my_progress import CohortTrack

        folder = open_cohort(cohort)
        roster = tuple((x.id, x.name) for x in cohort_roster(folder))
        if folder.settings.track:
            cohort_track = CohortTrack(folder.settings.track, folder.settings.pass_mark)
            certificate_needs = functools.partial(learner_needs, folder)
    size = class_size if class_size is not None else (len(roster) or DEFAULT_CLASS_SIZE)
    options = ServerOptions(
        host=host,
        port=port,
        class_size=size,
        memory_budget_mb=memory_budget,
        cull_idle_seconds=cull_idle,
        roster=roster,
        cohort_track=cohort_track,
        certificate_needs=certificate_needs,
    )
    budget = options.budget
    if size > budget.max_kernels:
        raise AcademyError(
            f"--class-size {size}: the memory budget ({budget.memory_mb} MB) holds "
            f"{budget.max_kernels} lesson kernels; raise --memory-budget or lower --class-size"
        )
    app_server = academy_server(build, options)
    who = f"cohort {cohort} ({len(roster)} learners)" if cohort else "learners who type a name"
    out.print(
        f"Serving the academy and its click-through lessons at http://{host}:{port}/ for {who}; "
        f"{size} warm lesson kernels, at most {budget.max_kernels} in {budget.memory_mb} MB "
        "(Ctrl+C to stop)"
    )
    app_server.start()


@app.command("hub")
def hub_cmd(
    cohort: Annotated[str, typer.Argument(help="The cohort the hub serves (its roster signs in).")],
    trainer: Annotated[
        list[str] | None,
        typer.Option("--trainer", help="A trainer's hub user name (repeatable; at least one)."),
    ] = None,
    port: Annotated[int, typer.Option("--port", help="Port for browsers.")] = 8100,
    host: Annotated[
        str, typer.Option("--host", help="Address to bind (0.0.0.0 for the whole room).")
    ] = "127.0.0.1",
    auth: Annotated[
        str, typer.Option("--auth", help="native (learners pick a password) or dummy (tests).")
    ] = "native",
    spawner: Annotated[
        str | None,
        typer.Option(
            "--spawner",
            help="system-users (a Linux user per learner; as root) or shared (one user).",
        ),
    ] = None,
    extra_config: Annotated[
        Path | None,
        typer.Option("--extra-config", help="More JupyterHub settings, e.g. OAuth sign-in."),
    ] = None,
    cull_idle: Annotated[
        int, typer.Option("--cull-idle", help="Stop a server after this many idle seconds.")
    ] = 3600,
    state: Annotated[
        Path | None, typer.Option("--state", help="The hub's own folder (default: data folder).")
    ] = None,
    proxy: Annotated[
        str | None, typer.Option("--proxy", help="The configurable-http-proxy program.")
    ] = None,
    directory: Annotated[
        Path | None, typer.Option("--dir", help="Folder that holds the cohorts.")
    ] = None,
    root: RootOpt = None,
    build_directory: BuildDirOpt = None,
) -> None:
    """Run a JupyterHub for a cohort: lessons, exercises and nbgrader for every learner."""
    import os

    from academy.hub.launch import HubRequest, RunningHub, start_hub

    if auth not in ("native", "dummy"):
        raise AcademyError(
            f"--auth {auth}: use native or dummy (an identity provider goes in --extra-config)"
        )
    if spawner not in (None, "system-users", "shared"):
        raise AcademyError(f"--spawner {spawner}: use system-users or shared")
    request = HubRequest(
        root=_root(root),
        build=build_directory,
        cohort=cohort,
        cohorts_dir=directory,
        ip=host,
        port=port,
        trainers=tuple(trainer or ()),
        # both checked against their Literal values just above (typer offers no Literal)
        authenticator=auth,  # type: ignore[arg-type]
        spawner=spawner,  # type: ignore[arg-type]
        state_dir=state,
        proxy=proxy,
        extra_config=extra_config,
        cull_idle_seconds=cull_idle,
        dummy_password=os.environ.get("ACADEMY_HUB_DUMMY_PASSWORD"),
    )

    def ready(hub: RunningHub) -> None:
        s = hub.settings
        out.print(
            f"Hub for cohort {s.cohort} at {hub.url} ({len(s.learners)} learners, trainers: "
            f"{', '.join(s.trainers)}; {s.spawner} servers; progress in "
            f"{s.progress_url.split('@')[-1]}). Log: {s.log_file}. Ctrl+C to stop."
        )
        out.print(
            f"Release and collect exercises with --exchange {s.exchange} "
            f"(academy cohort release|collect {s.cohort} EXERCISE --exchange …)."
        )
        if s.spawner == "shared":
            err.print(
                "[yellow]Note:[/] shared servers all run as one user: learners can read "
                "each other's files. Use --spawner system-users (as root) for a real class."
            )

    start_hub(request, on_ready=ready)
    out.print("Hub stopped; every learner's server and the proxy are stopped too.")


@app.command("lab")
def lab_cmd(
    root: RootOpt = None,
    build_directory: BuildDirOpt = None,
    city: CityOpt = None,
    cohort: Annotated[
        str | None,
        typer.Option(
            "--cohort", help="Also open the exercises this cohort has released, on its city."
        ),
    ] = None,
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1.")] = 8888,
    browser: Annotated[
        bool, typer.Option("--browser/--no-browser", help="Open a browser tab.")
    ] = True,
) -> None:
    """Open JupyterLab (offline, on 127.0.0.1) on the analyst lessons as notebooks and on
    the cohort's released exercises, with kernels that read the city's data."""
    from academy.build.books import built_html
    from academy.curriculum.loading import load_curriculum
    from academy.data.city import configured_city, notebook_environment
    from academy.serve.lab import TRACK, prepare_workspace, run_lab

    academy = _root(root)
    build = build_directory or build_dir(academy)
    exercises: dict[str, Path] = {}
    chosen = _city(city)
    if cohort:
        from academy.cohort.folder import open_cohort

        folder = open_cohort(cohort)
        exercises = {e: folder.release(e) for e in folder.released_exercises()}
        chosen = chosen or folder.settings.city
    chosen = chosen or configured_city(academy)
    cur = load_curriculum(academy, chosen)[0]
    books = {
        b.course.id: built_html(b, build / "books", chosen)
        for b in cur.books
        if b.track.id == TRACK
    }
    workspace = prepare_workspace(build, chosen, books, exercises)
    out.print(
        f"JupyterLab on {workspace.folder} for {chosen}: {len(workspace.notebooks)} notebooks "
        f"({len(workspace.copied)} new, {len(workspace.kept)} of yours kept as they were); "
        f"http://127.0.0.1:{port}/lab (Ctrl+C to stop)"
    )
    if workspace.unbuilt:
        err.print(
            f"Not built for {chosen} yet, so not in the lab: {', '.join(workspace.unbuilt)}; "
            f"run `academy build --city {chosen}` and start the lab again"
        )
    run_lab(workspace.folder, notebook_environment(academy, chosen), port, browser)


@app.command("schema")
def schema_cmd(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the JSON Schemas to.")],
) -> None:
    """Write a JSON Schema for every curriculum file format."""
    from academy.checks.formats import schemas

    out_dir.mkdir(parents=True, exist_ok=True)
    for name, schema in schemas().items():
        (out_dir / name).write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
        out.print(f"wrote {out_dir / name}")


def run() -> None:
    """Entry point: one readable line on user errors, traceback only with --debug."""
    try:
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except AcademyError as exc:
        if _debug["on"]:
            raise
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        print("aborted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # click usage errors and the like
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if _debug["on"]:
            raise
        print(
            f"error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
            file=sys.stderr,
        )
        sys.exit(1)
