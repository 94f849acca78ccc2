"""`academy cohort …`: the trainer's commands. Each parses options, calls one library
function of academy.cohort and prints what it returned."""

from __future__ import annotations

import signal
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.panel import Panel
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from academy.core import defaults
from academy.core.errors import AcademyError
from academy.data.city import CITY_ENV

if TYPE_CHECKING:
    from academy.cohort.folder import CohortFolder
    from academy.cohort.records import GradeRecord
    from academy.cohort.submissions import ImportReport

app = typer.Typer(
    help="Run a cohort: roster, release, import, grade, feedback, export, report, certificates.",
    no_args_is_help=True,
)
roster_app = typer.Typer(help="Show, add or remove the cohort's learners.", no_args_is_help=True)
app.add_typer(roster_app, name="roster")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

Name = Annotated[str, typer.Argument(help="Cohort name (its folder name).")]
Exercise = Annotated[str, typer.Argument(help="Exercise id (its folder under exercises/source).")]
DirOpt = Annotated[
    Path | None,
    typer.Option(
        "--dir",
        help="Folder that holds the cohorts (default $ACADEMY_COHORTS_DIR or your data folder).",
    ),
]


def _cohort(name: str, directory: Path | None) -> CohortFolder:
    """The cohort, announced on stderr with the city it is graded on (never stdout)."""
    from academy.cohort.folder import open_cohort

    folder = open_cohort(name, directory)
    err.print(f"[dim]{_describe(folder)}[/]")
    return folder


def _describe(folder: CohortFolder) -> str:
    settings = folder.settings
    city = (
        settings.city
        or "not recorded (made before cities were recorded; the academy's city is used)"
    )
    return f"cohort {folder.name} · city {city} · track {settings.track or 'none'}"


def _when(text: str, option: str) -> datetime:
    """A date and time typed by the trainer (local time unless it says otherwise), in UTC."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise AcademyError(
            f"{option} {text!r}: use a date like 2025-03-31 or 2025-03-31T17:00 (local time)"
        ) from exc
    return (moment if moment.tzinfo else moment.astimezone()).astimezone(UTC)


def _quiet_gradebook_warnings() -> None:
    """nbgrader's gradebook emits SQLAlchemy 2 autoflush warnings that mean nothing to a trainer."""
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)


@app.command("create")
def create_cmd(
    name: Name,
    roster: Annotated[Path, typer.Option("--roster", help="Roster CSV: id,name,email[,team].")],
    track: Annotated[
        str | None, typer.Option("--track", help="Track the cohort follows (for certificates).")
    ] = None,
    pass_mark: Annotated[
        float, typer.Option("--pass-mark", help="Percent of an exercise's points that passes.")
    ] = defaults.PASS_MARK,
    city: Annotated[
        str | None,
        typer.Option(
            "--city",
            envvar=CITY_ENV,
            help="City whose data it is graded on (default: the academy's).",
        ),
    ] = None,
    trainer_name: Annotated[
        str | None, typer.Option("--trainer-name", help="Who signs the certificates.")
    ] = None,
    trainer_role: Annotated[
        str | None, typer.Option("--trainer-role", help="Their role, e.g. 'Data Academy trainer'.")
    ] = None,
    root: Annotated[
        Path | None, typer.Option("--root", help="Academy checkout (default: found from here).")
    ] = None,
    directory: DirOpt = None,
) -> None:
    """Create a cohort folder with its roster and gradebook (nothing is created on any error)."""
    from academy.cohort.create import create_cohort
    from academy.cohort.roster import load_roster
    from academy.core.paths import find_root

    _quiet_gradebook_warnings()
    read = load_roster(roster)
    for note in read.notes:
        err.print(f"[yellow]Note:[/] {note}")
    folder = create_cohort(
        name,
        roster,
        find_root(root),
        directory,
        track=track,
        pass_mark=pass_mark,
        city=city,
        trainer_name=trainer_name,
        trainer_role=trainer_role,
    )
    out.print(f"Created cohort [bold]{name}[/] with {len(read.learners)} learners in {folder.path}")
    out.print(_describe(folder))
    out.print(f"Settings (limits, pass mark, sandbox, late policy): {folder.path / 'cohort.yml'}")


@app.command("list")
def list_cmd(directory: DirOpt = None) -> None:
    """List the cohorts in the cohorts folder."""
    from academy.cohort.folder import cohorts_dir, list_cohorts

    cohorts = list_cohorts(directory)
    if not cohorts:
        out.print(f"No cohorts in {cohorts_dir(directory)} yet.")
    for folder in cohorts:
        released = ", ".join(folder.released_exercises()) or "nothing released"
        out.print(
            f"{folder.name}: {folder.settings.track or 'no track'}; "
            f"city {folder.settings.city or 'not recorded'}; {released} ({folder.path})"
        )


@roster_app.command("show")
def roster_show_cmd(name: Name, directory: DirOpt = None) -> None:
    """Print the roster."""
    from academy.cohort.roster import COLUMNS, roster

    table = Table(*COLUMNS)
    for learner in roster(_cohort(name, directory)):
        table.add_row(*learner.cells)
    out.print(table)


@roster_app.command("add")
def roster_add_cmd(
    name: Name,
    csv_file: Annotated[Path | None, typer.Argument(help="Roster CSV of learners to add.")] = None,
    learner_id: Annotated[
        str | None, typer.Option("--id", help="Add one learner: their id.")
    ] = None,
    full_name: Annotated[str | None, typer.Option("--name", help="Their name.")] = None,
    email: Annotated[str | None, typer.Option("--email", help="Their e-mail address.")] = None,
    team: Annotated[str | None, typer.Option("--team", help="Their team (optional).")] = None,
    directory: DirOpt = None,
) -> None:
    """Add learners from a CSV, or one with --id/--name/--email."""
    from academy.cohort.roster import Learner, add_from_file, add_learner

    _quiet_gradebook_warnings()
    folder = _cohort(name, directory)
    if csv_file is not None:
        change = add_from_file(folder, csv_file)
    elif learner_id and full_name and email:
        change = add_learner(folder, Learner(learner_id, full_name, email, team))
    else:
        raise AcademyError("roster add: give a CSV file, or --id, --name and --email")
    out.print(
        f"Added {', '.join(x.id for x in change.added)}; the roster has {change.total} learners."
    )


@roster_app.command("remove")
def roster_remove_cmd(
    name: Name,
    ids: Annotated[list[str], typer.Argument(help="Ids of the learners to remove.")],
    force: Annotated[
        bool, typer.Option("--force", help="Also remove learners who have grades.")
    ] = False,
    directory: DirOpt = None,
) -> None:
    """Take learners off the roster (their files are kept)."""
    from academy.cohort.roster import remove_learners

    _quiet_gradebook_warnings()
    change = remove_learners(_cohort(name, directory), ids, force=force)
    out.print(
        f"Removed {', '.join(x.id for x in change.removed)}; the roster has {change.total} learners."
    )


def _due(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise AcademyError(
            f"--due {text!r}: use a date like 2025-03-31 or 2025-03-31T17:00"
        ) from exc
    return (moment if moment.tzinfo else moment.astimezone()).astimezone(UTC).replace(tzinfo=None)


@app.command("release")
def release_cmd(
    name: Name,
    exercise: Exercise,
    due: Annotated[
        str | None, typer.Option("--due", help="Due date, e.g. 2025-03-31T17:00 (local time).")
    ] = None,
    refresh: Annotated[
        bool,
        typer.Option("--refresh", help="Re-copy the exercise (only before any work is graded)."),
    ] = False,
    exchange: Annotated[
        Path | None, typer.Option("--exchange", help="nbgrader exchange folder (JupyterHub).")
    ] = None,
    directory: DirOpt = None,
) -> None:
    """Freeze an exercise for the cohort and make the learner version."""
    from academy.cohort.release import release_exercise

    _quiet_gradebook_warnings()
    result = release_exercise(_cohort(name, directory), exercise, _due(due), refresh, exchange)
    verb = "Released" if result.newly_released else "Already released"
    out.print(f"{verb} [bold]{result.manifest.title}[/] ({result.manifest.total_points:g} points).")
    out.print(f"Learner version: {result.notebook}")
    if result.exchange:
        out.print(f"On JupyterHub, learners fetch it from the exchange: {result.exchange}")
    else:
        out.print("Share that notebook with the learners (LMS, e-mail, shared drive).")
    if result.checkout_changed:
        err.print(
            f"[yellow]Note:[/] the academy's copy of {exercise} has changed since it was released to "
            "this cohort; the cohort keeps its frozen copy (use --refresh before any work is graded)."
        )


@app.command("import")
def import_cmd(
    name: Name,
    exercise: Exercise,
    path: Annotated[Path, typer.Argument(help="Folder or zip of submissions (an LMS download).")],
    pattern: Annotated[
        str | None,
        typer.Option("--pattern", help="Regex with a (?P<student_id>…) group for flat file names."),
    ] = None,
    submitted_at: Annotated[
        list[str] | None,
        typer.Option(
            "--submitted-at",
            help="Hand-in time when you know it: TIME for everyone, or LEARNER=TIME (repeat).",
        ),
    ] = None,
    worksheet: Annotated[
        Path | None,
        typer.Option("--worksheet", help="Moodle's grading worksheet CSV (ids and hand-in times)."),
    ] = None,
    use_file_times: Annotated[
        bool,
        typer.Option(
            "--use-file-times",
            help="Take hand-in times from the files' own times (LMS downloads carry download times).",
        ),
    ] = False,
    allow_older: Annotated[
        bool, typer.Option("--allow-older", help="Let an older hand-in replace a newer one.")
    ] = False,
    directory: DirOpt = None,
) -> None:
    """Take in submissions (folder or zip), match them to the roster, list what does not match."""
    from academy.cohort.lms import read_worksheet
    from academy.cohort.submissions import ImportOptions, import_submissions

    folder = _cohort(name, directory)
    times: dict[str, datetime] = {}
    for item in submitted_at or []:
        learner, sep, text = item.rpartition("=")
        times[learner if sep else ""] = _when(text, "--submitted-at")
    options = ImportOptions(
        pattern=pattern,
        submitted_at=times,
        use_file_times=use_file_times,
        allow_older=allow_older,
        worksheet=read_worksheet(worksheet) if worksheet else None,
    )
    report = import_submissions(folder, exercise, path, options=options)
    _print_import(report, path)


@app.command("collect")
def collect_cmd(
    name: Name,
    exercise: Exercise,
    exchange: Annotated[
        Path, typer.Option("--exchange", help="nbgrader exchange folder of the hub.")
    ],
    directory: DirOpt = None,
) -> None:
    """Take in what learners submitted on the hub (nbgrader's exchange)."""
    from academy.cohort.collect import collect_submissions, inbound

    folder = _cohort(name, directory)
    _print_import(collect_submissions(folder, exercise, exchange), inbound(exchange, folder))


def _print_import(report: ImportReport, path: Path) -> None:
    exercise = report.exercise
    for item in report.imported:
        extra = [f"handed in {item.submitted_at:%Y-%m-%d %H:%M} UTC ({item.source})"]
        if item.lms_late:
            extra.append(f"LATE per {item.platform}")
        if item.renamed_from:
            extra.append(f"renamed from {item.renamed_from}")
        if item.learner in report.replaced:
            extra.append("replaces an earlier submission (kept in .academy/replaced)")
        out.print(f"  {item.learner}: {item.origin} — {'; '.join(extra)}")
    if report.unchanged:
        out.print(f"Unchanged since the last import: {', '.join(report.unchanged)}")
    out.print(f"Imported {len(report.imported)} submission(s) of {exercise}.")
    for note in report.notes:
        err.print(f"[yellow]Note:[/] {note}")
    if report.unmatched:
        err.print(f"[yellow]{len(report.unmatched)} file(s) not imported:[/]")
        for skipped in report.unmatched:
            err.print(f"  {skipped.origin}: {skipped.reason}")
    if report.missing:
        out.print(f"No submission yet from: {', '.join(report.missing)}")
    if not report.imported and not report.unchanged:
        reason = (
            f"{len(report.unmatched)} file(s) could not be imported (listed above)"
            if report.unmatched
            else "it holds no notebook (.ipynb)"
        )
        raise AcademyError(
            f"{path}: nothing imported, {reason}; for an LMS download add lms_id to the roster, "
            "or pass --pattern"
        )


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _grade_line(record: GradeRecord) -> str:
    """One learner's result for the terminal; every text in it is escaped (grade ids and
    file names come from submissions, and may hold markup or control characters)."""
    from rich.markup import escape

    from academy.cohort.quoting import clean

    def safe(text: str) -> str:
        return escape(clean(text, 400))

    flags = (
        f" [red]flagged: {safe('; '.join(f.message for f in record.flags))}[/]"
        if record.flags
        else ""
    )
    problems = f" [yellow]{safe('; '.join(record.problems))}[/]" if record.problems else ""
    return (
        f"  {escape(record.learner)}: {record.score:g}/{record.max_score:g} ({record.outcome})"
        f"{flags}{problems}"
    )


@app.command("grade")
def grade_cmd(
    name: Name,
    exercise: Exercise,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", help="Submissions graded at once (default: CPUs).")
    ] = None,
    learner: Annotated[
        str | None, typer.Option("--learner", help="Re-grade this learner only.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Re-grade everyone, even unchanged work.")
    ] = False,
    executor: Annotated[
        str, typer.Option("--executor", help="local (processes) or threads, on this machine.")
    ] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler", help="A Dask scheduler, HOST:PORT: its workers run the sandboxes."
        ),
    ] = None,
    unsafe_no_sandbox: Annotated[
        bool,
        typer.Option(
            "--unsafe-no-sandbox",
            help="Grade without bubblewrap (learner code can read and change your files); "
            "recorded with every grade and shown on the report.",
        ),
    ] = False,
    directory: DirOpt = None,
) -> None:
    """Autograde every new or changed submission, each in its own sandbox, in parallel."""
    from academy.cohort.grade import grade_exercise

    _quiet_gradebook_warnings()
    folder = _cohort(name, directory)
    columns = (
        TextColumn("grading"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    bar = Progress(*columns, console=err, transient=False)
    task = bar.add_task("grading", total=None)

    def progress(done: int, total: int, record: GradeRecord | None) -> None:
        if not bar.live.is_started:  # only once the sandbox is known to work
            bar.start()
        bar.update(task, completed=done, total=total)
        if record is not None and (record.flags or record.problems or record.outcome != "graded"):
            bar.console.print(_grade_line(record))

    signal.signal(signal.SIGTERM, _interrupt)  # `kill`, systemd, CI timeouts: stop cleanly
    try:
        run = grade_exercise(
            folder,
            exercise,
            jobs=jobs,
            learner=learner,
            force=force,
            executor=executor,
            progress=progress,
            scheduler=scheduler,
            unsafe_no_sandbox=unsafe_no_sandbox,
        )
    finally:
        if bar.live.is_started:
            bar.stop()
    if run.warning:
        err.print(
            Panel(run.warning, title="WARNING: grading was not sandboxed", border_style="red")
        )
    graded = sorted(run.graded, key=lambda r: r.learner)
    for record in graded:
        out.print(_grade_line(record))
    flagged = [r for r in graded if r.flags]
    out.print(
        f"Graded {len(graded)} submission(s) of {exercise} in {run.seconds:.0f} s "
        f"({'bwrap sandbox' if run.sandbox == 'bwrap' else 'NO SANDBOX'}); "
        f"{len(run.skipped)} unchanged since last time."
    )
    if flagged:
        err.print(
            f"[red]{len(flagged)} submission(s) flagged for tampering:[/] {', '.join(r.learner for r in flagged)}"
        )
    if run.missing:
        out.print(f"Nothing handed in by: {', '.join(run.missing)}")
    if graded and not run.interrupted:
        _refresh(folder)
    for learner, why in sorted(run.unfinished.items()):
        err.print(f"[red]Not graded:[/] {learner}: {why}; run the command again to grade it.")
    if run.interrupted:
        err.print(
            f"[red]Interrupted.[/] {len(graded)} submission(s) were graded and saved; running "
            "sandboxes were stopped and their folders removed. Run the same command again to "
            f"grade the rest, then `academy cohort refresh {folder.name}`."
        )
        raise typer.Exit(130)
    if run.unfinished:
        raise typer.Exit(1)


def _refresh(folder: CohortFolder) -> None:
    """Grades changed: make every existing output again from them, and say so."""
    from academy.cohort.refresh import refresh_outputs

    done = refresh_outputs(folder)
    parts = []
    if done.feedback:
        parts.append(f"{done.feedback} feedback page(s)")
    if done.report:
        parts.append(f"the report ({done.report})")
    if done.certificates or done.revoked:
        parts.append(f"{done.certificates} certificate(s)")
    if parts:
        out.print(f"Updated from the new grades: {', '.join(parts)}.")
    for learner in done.revoked:
        err.print(
            f"[red]Revoked[/] the certificate of {learner}: they no longer meet the requirements."
        )


@app.command("refresh")
def refresh_cmd(name: Name, directory: DirOpt = None) -> None:
    """Make feedback, report and certificates again from the gradebook (after formgrader edits)."""
    _quiet_gradebook_warnings()
    folder = _cohort(name, directory)
    _refresh(folder)


@app.command("extend")
def extend_cmd(
    name: Name,
    exercise: Exercise,
    learner: Annotated[str, typer.Argument(help="Roster id of the learner.")],
    until: Annotated[
        str | None, typer.Option("--until", help="New due date for them, e.g. 2025-04-07T17:00.")
    ] = None,
    days: Annotated[
        float | None, typer.Option("--days", help="Or: days added to the exercise's due date.")
    ] = None,
    directory: DirOpt = None,
) -> None:
    """Give one learner more time; late penalties and every output follow."""
    from datetime import timedelta

    from academy.cohort.late import grant_extension, reapply_late_penalty
    from academy.cohort.manifest import load_manifest

    _quiet_gradebook_warnings()
    folder = _cohort(name, directory)
    manifest = load_manifest(folder, exercise)
    if (until is None) == (days is None):
        raise AcademyError("extend: give either --until DATE or --days N")
    if until is not None:
        new_due = _when(until, "--until")
    elif manifest.due is None:
        raise AcademyError(
            f"{folder.manifest_file(exercise)}: {exercise!r} has no due date to add days to; "
            "use --until DATE"
        )
    else:
        new_due = manifest.due.replace(tzinfo=UTC) + timedelta(days=days or 0)
    graded = grant_extension(folder, exercise, learner, new_due)
    out.print(f"{learner} may hand in {exercise} until {new_due:%Y-%m-%d %H:%M} UTC.")
    if graded:
        before, after = reapply_late_penalty(
            folder, exercise, learner, f"extension to {new_due:%Y-%m-%d %H:%M} UTC"
        )
        if before != after:
            out.print(f"Late penalty for {learner}: {before:g} → {after:g} points.")
        _refresh(folder)


@app.command("doctor")
def doctor_cmd(
    name: Annotated[
        str | None, typer.Argument(help="A cohort: also check its exercises' data.")
    ] = None,
    directory: DirOpt = None,
) -> None:
    """Check what confines graded notebooks on this machine (sandbox, memory cap, data)."""
    from rich.markup import escape

    from academy.cohort.doctor import diagnose

    folder = _cohort(name, directory) if name else None
    diagnosis = diagnose(folder)
    colour = {"ok": "green", "warning": "yellow", "error": "red"}
    for check in diagnosis.checks:
        out.print(
            f"[{colour[check.level]}]{check.level:>7}[/] {escape(check.name)}: {escape(check.found)}"
        )
    if not diagnosis.ok:
        raise typer.Exit(1)


@app.command("history")
def history_cmd(
    name: Name,
    learner: Annotated[str | None, typer.Option("--learner", help="Only this learner.")] = None,
    exercise: Annotated[str | None, typer.Option("--exercise", help="Only this exercise.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    directory: DirOpt = None,
) -> None:
    """Every change to the cohort's scores, oldest first: grades, re-grades, overrides, penalties."""
    from rich.markup import escape

    from academy.cohort.history import as_json, history_or_error, verify_history

    if fmt not in ("text", "json"):
        raise AcademyError(f"--format {fmt!r}: use text or json")
    folder = _cohort(name, directory)
    found = history_or_error(folder, exercise, learner)
    if fmt == "json":
        typer.echo(as_json(found))
    else:
        table = Table(
            "when (UTC)", "learner", "exercise", "change", "score", "reason", "by", "submission"
        )
        for change in found:
            before = "–" if change.previous is None else f"{change.previous:g}"
            after = "–" if change.score is None else f"{change.score:g}"
            table.add_row(
                change.at.strftime("%Y-%m-%d %H:%M:%S"),
                escape(change.learner),
                escape(change.exercise),
                change.kind + ("" if change.sandbox != "none" else " [red](NOT SANDBOXED)[/]"),
                f"{before} → {after} / {change.max_score:g}",
                escape(change.reason),
                escape(change.by),
                (change.submission_sha256 or "no file")[:16],
            )
        out.print(table)
        out.print(f"{len(found)} change(s).")
    for problem in verify_history(folder):
        err.print(f"[red]warning:[/] {escape(problem)}")


@app.command("feedback")
def feedback_cmd(
    name: Name,
    exercise: Exercise,
    learner: Annotated[str | None, typer.Option("--learner", help="Only this learner.")] = None,
    directory: DirOpt = None,
) -> None:
    """Write an offline feedback page per graded learner."""
    from academy.cohort.feedback import generate_feedback

    _quiet_gradebook_warnings()
    pages = generate_feedback(_cohort(name, directory), exercise, learner)
    for page in pages:
        out.print(f"  {page.learner}: {page.path}")
    out.print(f"Wrote {len(pages)} feedback page(s).")


@app.command("export")
def export_cmd(
    name: Name,
    fmt: Annotated[str, typer.Option("--format", help="csv, canvas, moodle or json.")] = "csv",
    out_file: Annotated[
        Path | None, typer.Option("--out", help="File to write (default: print).")
    ] = None,
    directory: DirOpt = None,
) -> None:
    """Export grades per exercise and per question (csv for Excel; canvas and moodle in
    their gradebook import layout)."""
    from academy.cohort.export import FORMATS, export_bytes, render_export
    from academy.cohort.folder import atomic_write
    from academy.cohort.scores import cohort_scores

    if fmt not in FORMATS:
        raise AcademyError(f"--format {fmt!r}: use {', '.join(FORMATS)}")
    _quiet_gradebook_warnings()
    folder = _cohort(name, directory)
    scores = cohort_scores(folder)
    if out_file is None:
        typer.echo(render_export(scores, fmt, folder.name), nl=False)  # type: ignore[arg-type]
    else:
        atomic_write(out_file, export_bytes(scores, fmt, folder.name))  # type: ignore[arg-type]
        err.print(f"Wrote {out_file}")


@app.command("report")
def report_cmd(
    name: Name,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder for the report (default: <cohort>/report).")
    ] = None,
    directory: DirOpt = None,
) -> None:
    """Write the offline cohort report (charts, progress, missing and late work)."""
    from academy.cohort.report import cohort_report

    _quiet_gradebook_warnings()
    path = cohort_report(_cohort(name, directory), out_dir)
    out.print(f"Wrote {path} (the last section names learners: keep it to yourself).")


@app.command("link")
def link_cmd(
    name: Name,
    recorded: Annotated[
        str,
        typer.Argument(
            help="The name the lesson progress was recorded under (from the report's list)."
        ),
    ],
    roster_id: Annotated[str, typer.Argument(help="Roster id of the learner it belongs to.")],
    directory: DirOpt = None,
) -> None:
    """Count lesson progress recorded under another name (a full name, a typo) for a learner."""
    from academy.cohort.link import link_progress

    _quiet_gradebook_warnings()
    folder = _cohort(name, directory)
    done = link_progress(folder, recorded, roster_id)
    before = f" (it was linked to {done.previously})" if done.previously else ""
    out.print(
        f"Linked {done.recorded!r} to {done.learner.name} ({done.learner.id}){before}: "
        "their lessons under that name now count in the report and for certificates."
    )
    _refresh(folder)


@app.command("certificates")
def certificates_cmd(
    name: Name,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder for the certificates.")
    ] = None,
    directory: DirOpt = None,
) -> None:
    """Issue HTML and PDF certificates to learners who completed the track."""
    from academy.cohort.certificates import issue_certificates

    _quiet_gradebook_warnings()
    run = issue_certificates(_cohort(name, directory), out_dir)
    for cert in run.issued:
        out.print(f"  {cert.learner}: {cert.html}, {cert.pdf}")
    out.print(f"Issued {len(run.issued)} certificate(s) for the {run.track} track.")
    for cert in run.revoked:
        err.print(
            f"[red]Revoked[/] {cert.code} ({cert.learner}): {cert.revoked_because}; its files were removed"
        )
    for learner, needs in sorted(run.not_yet.items()):
        out.print(f"  not yet {learner}: {'; '.join(needs)}")


@app.command("verify")
def verify_cmd(
    code: Annotated[str, typer.Argument(help="The verification code printed on a certificate.")],
    directory: DirOpt = None,
) -> None:
    """Check a certificate's code: genuine, and not revoked."""
    from academy.cohort.certificates import verify_code

    result = verify_code(code, directory)
    cert = result.certificate
    signed = f", signed by {result.trainer}" if result.trainer else ""
    if result.valid:
        out.print(
            f"Valid: {cert.name} completed the {cert.track} track on {cert.completed} "
            f"(cohort {result.cohort}{signed})."
        )
        return
    raise AcademyError(
        f"{cert.code}: revoked on {cert.revoked_at:%Y-%m-%d} ({cert.revoked_because}); this "
        f"certificate of {cert.name} is no longer valid"
    )
