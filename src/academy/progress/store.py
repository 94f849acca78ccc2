"""The progress store: every answer a learner gives in a click-through lesson.

One row per attempt (learner, lesson, step, attempt, correct, answer, time), kept
through SQLAlchemy: SQLite in the user's data dir by default, or any SQLAlchemy URL
(PostgreSQL for a hub: `postgresql+psycopg://user@host/db`) from `ACADEMY_PROGRESS_URL`
or the constructor. The schema is made and upgraded by Alembic (`migrate`), never by
`create_all`; the tables are in `schema`.

Conventions other code relies on:

- a lesson id is '<course>/<lesson>' (the click-through YAML's course folder and stem);
- steps are numbered from 1, as learners see them ("Step 3 of 9");
- a step is *done* once it has a correct attempt; steps that ask nothing (read, table)
  are recorded as one correct attempt with answer None when the learner moves on;
- `register_lesson` stores how many steps a lesson has, so summaries can say
  "5 of 9 steps" even for learners who have done none of the later ones;
- summaries are per roster id where one is known (linked afterwards with `link_learner`,
  which wins, or written with the attempt), else per recorded name.

The database may be down when a lesson starts or go down in the middle of it: the store
connects lazily, and `record` then keeps the answer on disk (`outbox`) and returns
`KEPT` instead of `SAVED`, so the lesson can tell the learner; kept answers are written,
exactly once, as soon as any store reaches the database again (the next answer, or a
retry every `retry_seconds`).

    store = ProgressStore()
    store.record("maria", "reading-charts/misleading-axis", step=2, attempt=1,
                 correct=False, answer="Phone")
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from academy.core.errors import AcademyError
from academy.progress import migrate
from academy.progress.outbox import Outbox
from academy.progress.schema import (
    attempts_table,
    learner_links_table,
    lessons_table,
)

PROGRESS_URL_ENV = "ACADEMY_PROGRESS_URL"
#: Seconds to wait for a PostgreSQL server before treating it as down.
CONNECT_TIMEOUT = 5


class StoreUnavailable(AcademyError):
    """The progress database cannot be reached right now."""


class Saved(StrEnum):
    """What happened to an answer."""

    SAVED = "saved"  # in the database
    KEPT = "kept"  # on this server's disk, written to the database when it is back


@dataclass(frozen=True)
class Attempt:
    """One answer to one step (or one 'seen' mark for a step that asks nothing)."""

    learner: str
    lesson: str
    step: int
    attempt: int
    correct: bool
    answer: Any
    at: datetime
    roster_id: str | None = None
    identified_by: str = "typed"
    uid: str = field(default="", compare=False)


@dataclass(frozen=True)
class LessonSummary:
    """How far one learner got in one lesson."""

    learner: str
    lesson: str
    steps_done: int
    steps_total: int
    completed: bool
    last_at: datetime
    answered: int = 0
    """Questions answered (steps with an answer; a step that asks nothing records none)."""
    first_right: int = 0
    """Of those, the ones whose first answer was right: a graded check's score."""
    matched_by: str = "typed"
    """How `learner` was known to be this person: 'roster' (signed in from a cohort's
    roster), 'link' (a trainer linked the recorded name), 'hub' (the JupyterHub user) or
    'typed' (a name or staff id typed without a roster). The strongest one of its records."""


#: How sure each way of knowing a learner is, weakest first (LessonSummary.matched_by).
MATCHED_BY = ("typed", "hub", "link", "roster")


def default_url() -> str:
    """$ACADEMY_PROGRESS_URL, else SQLite at <user data dir>/progress.sqlite."""
    env = os.environ.get(PROGRESS_URL_ENV, "").strip()
    if env:
        return env
    from academy.core.paths import user_data_dir

    return f"sqlite:///{user_data_dir() / 'progress.sqlite'}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")  # first: wait for other kernels' locks
    for _ in range(50):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")  # many learner kernels write at once
            break
        except Exception:
            time.sleep(0.1)
    cursor.close()


def _engine(url: str) -> Engine:
    try:
        if url.startswith("sqlite"):
            path = url.split("///", 1)[1] if "///" in url else ""
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        args = {"connect_timeout": CONNECT_TIMEOUT} if url.startswith("postgresql") else {}
        return create_engine(
            url, pool_pre_ping=True, pool_size=1, max_overflow=2, connect_args=args
        )
    except Exception as exc:  # bad URL, missing driver
        raise AcademyError(
            f"{PROGRESS_URL_ENV}={url}: cannot open the progress store ({exc}); use a "
            "SQLAlchemy URL such as sqlite:///path/progress.sqlite or "
            "postgresql+psycopg://user@host/database"
        ) from exc


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _is_outage(exc: BaseException) -> bool:
    """True for 'cannot reach the database' (as opposed to a bug or bad data)."""
    if isinstance(exc, OperationalError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def _row(
    learner: str,
    lesson: str,
    step: int,
    attempt: int,
    correct: bool,
    answer: Any,
    at: datetime,
    roster_id: str | None,
    identified_by: str,
) -> dict[str, Any]:
    """An attempt as plain JSON values (how the outbox keeps it)."""
    return {
        "kind": "attempt",
        "uid": str(uuid.uuid4()),
        "learner": learner,
        "lesson": lesson,
        "step": int(step),
        "attempt": int(attempt),
        "correct": bool(correct),
        "answer": None if answer is None else json.dumps(answer, default=str),
        "at": _aware(at).isoformat(),
        "roster_id": roster_id,
        "identified_by": identified_by,
    }


class ProgressStore:
    """Answers and progress of every learner, in one SQL database."""

    def __init__(
        self,
        url: str | None = None,
        retry_seconds: float = 10.0,
        on_flushed: Callable[[int], None] | None = None,
    ) -> None:
        self.url = url or default_url()
        self.engine = _engine(self.url)
        self.outbox = Outbox(self.url)
        self.retry_seconds = retry_seconds
        self.on_flushed = on_flushed
        self._ready = False
        self._lock = threading.RLock()
        self._counts: dict[tuple[str, str, int], int] = {}
        self._retry: threading.Timer | None = None

    def close(self) -> None:
        if self._retry is not None:
            self._retry.cancel()
        self.engine.dispose()

    # -- connecting --------------------------------------------------------------------
    def _connect(self) -> None:
        """Upgrade the schema once, then write whatever was kept; raises StoreUnavailable."""
        if self._ready:
            return
        self.schema_state(upgrade=True)
        self._ready = True
        self.flush()

    @property
    def shown_url(self) -> str:
        """The URL without its password, for messages."""
        return self.engine.url.render_as_string(hide_password=True)

    def schema_state(self, upgrade: bool = False) -> migrate.SchemaState:
        """Where the database's schema stands (after upgrading it, with `upgrade`)."""
        try:
            return migrate.upgrade(self.engine) if upgrade else migrate.schema_state(self.engine)
        except AcademyError:
            raise
        except Exception as exc:
            if _is_outage(exc):
                raise self._unavailable(exc) from exc
            raise

    def _unavailable(self, exc: BaseException) -> StoreUnavailable:
        shown = self.shown_url
        reason = str(getattr(exc, "orig", exc) or exc).strip().splitlines()
        return StoreUnavailable(
            f"{shown}: the progress database cannot be reached "
            f"({reason[0] if reason else type(exc).__name__}); start it or fix "
            f"{PROGRESS_URL_ENV}"
        )

    def _run(self, action: Callable[[], Any]) -> Any:
        """Run a database action; an outage becomes StoreUnavailable."""
        with self._lock:
            self._connect()
            try:
                return action()
            except Exception as exc:
                if _is_outage(exc):
                    self._ready = False  # check the schema again when it is back
                    raise self._unavailable(exc) from exc
                raise

    @property
    def reachable(self) -> bool:
        try:
            self._run(lambda: None)
        except StoreUnavailable:
            return False
        return True

    # -- kept answers --------------------------------------------------------------------
    def pending(self) -> int:
        """Answers this process kept on disk that are not in the database yet."""
        return self.outbox.pending()

    def flush(self) -> int:
        """Write every kept answer (this process's and any dead kernel's); returns how many."""
        with self._lock:
            if not self._ready:
                with contextlib.suppress(StoreUnavailable):
                    self._connect()  # flushes on success
                return 0
            written = 0
            try:
                with self.outbox.claimed() as files, self.engine.begin() as conn:
                    for _path, rows in files:
                        written += self._write_kept(conn, rows)
            except Exception as exc:
                if not _is_outage(exc):
                    raise
                self._ready = False
                self._schedule_retry()
                return 0
        if written and self.on_flushed:
            self.on_flushed(written)
        return written

    def _write_kept(self, conn: Any, rows: Iterable[dict[str, Any]]) -> int:
        rows = list(rows)
        attempts = [r for r in rows if r.get("kind") == "attempt"]
        uids = [r["uid"] for r in attempts]
        present: set[str] = set()
        for start in range(0, len(uids), 500):
            chunk = uids[start : start + 500]
            present |= set(
                conn.execute(
                    select(attempts_table.c.uid).where(attempts_table.c.uid.in_(chunk))
                ).scalars()
            )
        new = [
            {**_strip(r), "at": datetime.fromisoformat(r["at"])}
            for r in attempts
            if r["uid"] not in present
        ]
        if new:
            conn.execute(attempts_table.insert(), new)
        for lesson in (r for r in rows if r.get("kind") == "lesson"):
            self._upsert_lesson(conn, lesson["lesson"], lesson["steps_total"], lesson["title"])
        return len(new)

    def _keep(self, row: dict[str, Any]) -> None:
        self.outbox.keep(row)
        self._schedule_retry()

    def _schedule_retry(self) -> None:
        if self.retry_seconds <= 0 or (self._retry is not None and self._retry.is_alive()):
            return

        def retry() -> None:
            self._retry = None
            self.flush()
            if self.pending():
                self._schedule_retry()

        self._retry = threading.Timer(self.retry_seconds, retry)
        self._retry.daemon = True
        self._retry.start()

    # -- writing ---------------------------------------------------------------------------
    @staticmethod
    def _upsert_lesson(conn: Any, lesson: str, steps_total: int, title: str) -> None:
        found = conn.execute(
            select(lessons_table.c.lesson).where(lessons_table.c.lesson == lesson)
        ).first()
        values = {"steps_total": steps_total, "title": title}
        if found:
            conn.execute(
                lessons_table.update().where(lessons_table.c.lesson == lesson).values(**values)
            )
        else:
            conn.execute(lessons_table.insert().values(lesson=lesson, **values))

    def register_lesson(self, lesson: str, steps_total: int, title: str = "") -> Saved:
        """Remember how many steps `lesson` has (call when a learner opens it)."""

        def write() -> None:
            for attempt in range(5):  # two kernels registering the same new lesson at once
                try:
                    with self.engine.begin() as conn:
                        self._upsert_lesson(conn, lesson, steps_total, title)
                    return
                except IntegrityError:
                    if attempt == 4:
                        raise

        try:
            self._run(write)
        except StoreUnavailable:
            self._keep(
                {"kind": "lesson", "lesson": lesson, "steps_total": steps_total, "title": title}
            )
            return Saved.KEPT
        return Saved.SAVED

    def record(
        self,
        learner: str,
        lesson: str,
        step: int,
        attempt: int,
        correct: bool,
        answer: Any,
        at: datetime | None = None,
        roster_id: str | None = None,
        identified_by: str = "typed",
    ) -> Saved:
        """Store one attempt; `answer` is anything JSON can hold (None for 'seen').

        Returns SAVED, or KEPT when the database is down and the answer waits on disk.
        """
        row = _row(
            learner,
            lesson,
            step,
            attempt,
            correct,
            answer,
            at or datetime.now(UTC),
            roster_id,
            identified_by,
        )
        key = (learner, lesson, int(step))
        self._counts[key] = max(self._counts.get(key, 0), int(attempt))

        def write() -> None:
            with self.engine.begin() as conn:
                conn.execute(attempts_table.insert().values(**_strip(row), at=_aware_at(row)))

        try:
            self._run(write)
        except StoreUnavailable:
            self._keep(row)
            return Saved.KEPT
        if self.pending():
            self.flush()
        return Saved.SAVED

    def link_learner(self, learner: str, roster_id: str, linked_by: str) -> None:
        """Count everything recorded under the name `learner` as roster id `roster_id`."""

        def write() -> None:
            with self.engine.begin() as conn:
                conn.execute(
                    learner_links_table.delete().where(learner_links_table.c.learner == learner)
                )
                conn.execute(
                    learner_links_table.insert().values(
                        learner=learner,
                        roster_id=roster_id,
                        linked_by=linked_by,
                        linked_at=datetime.now(UTC),
                    )
                )

        self._run(write)

    # -- reading ---------------------------------------------------------------------------
    def recorded_learners(self) -> dict[str, str | None]:
        """{name records were written under: the roster id it is linked to, or None}."""
        links = learner_links_table
        query = (
            select(attempts_table.c.learner, links.c.roster_id)
            .select_from(
                attempts_table.outerjoin(links, links.c.learner == attempts_table.c.learner)
            )
            .distinct()
        )

        def read() -> dict[str, str | None]:
            with self.engine.connect() as conn:
                return {learner: roster_id for learner, roster_id in conn.execute(query)}

        return self._run(read)

    def attempts(self, learner: str | None = None, lesson: str | None = None) -> list[Attempt]:
        """Every attempt, oldest first, optionally for one learner and/or lesson."""
        query = select(attempts_table).order_by(attempts_table.c.at, attempts_table.c.id)
        if learner is not None:
            query = query.where(attempts_table.c.learner == learner)
        if lesson is not None:
            query = query.where(attempts_table.c.lesson == lesson)

        def read() -> list[Any]:
            with self.engine.connect() as conn:
                return list(conn.execute(query).mappings().all())

        return [
            Attempt(
                learner=row["learner"],
                lesson=row["lesson"],
                step=row["step"],
                attempt=row["attempt"],
                correct=bool(row["correct"]),
                answer=None if row["answer"] is None else json.loads(row["answer"]),
                at=_aware(row["at"]),
                roster_id=row["roster_id"],
                identified_by=row["identified_by"],
                uid=row["uid"],
            )
            for row in self._run(read)
        ]

    def steps_total(self) -> dict[str, int]:
        """{lesson id: number of steps} for every lesson a learner has opened."""

        def read() -> dict[str, int]:
            with self.engine.connect() as conn:
                rows = conn.execute(select(lessons_table.c.lesson, lessons_table.c.steps_total))
                return {lesson: total for lesson, total in rows}

        return self._run(read)

    def done_steps(self, learner: str, lesson: str) -> set[int]:
        """Step numbers this learner has answered correctly (or seen) in `lesson`."""
        query = (
            select(attempts_table.c.step)
            .where(attempts_table.c.learner == learner)
            .where(attempts_table.c.lesson == lesson)
            .where(attempts_table.c.correct.is_(True))
            .distinct()
        )

        def read() -> set[int]:
            with self.engine.connect() as conn:
                return {row[0] for row in conn.execute(query)}

        return self._run(read)

    def attempt_count(self, learner: str, lesson: str, step: int) -> int:
        """How many attempts this learner already made at this step.

        While the database is down: the count this store last saw, plus what it kept.
        """
        key = (learner, lesson, int(step))
        query = (
            select(func.count())
            .select_from(attempts_table)
            .where(attempts_table.c.learner == learner)
            .where(attempts_table.c.lesson == lesson)
            .where(attempts_table.c.step == step)
        )

        def read() -> int:
            with self.engine.connect() as conn:
                return int(conn.execute(query).scalar_one())

        try:
            count = self._run(read)
        except StoreUnavailable:
            return self._counts.get(key, 0)
        self._counts[key] = max(self._counts.get(key, 0), count)
        return count

    def lesson_summaries(self, learner: str | None = None) -> list[LessonSummary]:
        """One summary per (learner, lesson) that has any attempt, sorted by learner and lesson.

        The learner is the roster id when one is known (a trainer's link, which wins, or the
        one written with the attempt), else the name the attempt was recorded under. With
        `learner` (a name records are written under), only that person's summaries: theirs
        and, when a trainer linked the name to a roster id, everything counted for that id.
        """
        links = learner_links_table
        who = func.coalesce(links.c.roster_id, attempts_table.c.roster_id, attempts_table.c.learner)
        query = (
            select(
                who,
                attempts_table.c.lesson,
                attempts_table.c.step,
                attempts_table.c.correct,
                attempts_table.c.at,
                attempts_table.c.answer.is_not(None),
                links.c.roster_id.is_not(None),
                attempts_table.c.identified_by,
            )
            .select_from(
                attempts_table.outerjoin(links, links.c.learner == attempts_table.c.learner)
            )
            .order_by(attempts_table.c.at, attempts_table.c.id)
        )

        def read() -> tuple[dict[str, int], list[Any]]:
            with self.engine.connect() as conn:
                chosen = query
                if learner is not None:
                    linked = conn.execute(
                        select(links.c.roster_id).where(links.c.learner == learner)
                    ).scalar()
                    chosen = query.where(who == (linked or learner))
                totals = {
                    lesson: total
                    for lesson, total in conn.execute(
                        select(lessons_table.c.lesson, lessons_table.c.steps_total)
                    )
                }
                return totals, list(conn.execute(chosen))

        totals, rows = self._run(read)
        done: dict[tuple[str, str], set[int]] = {}
        last: dict[tuple[str, str], datetime] = {}
        first: dict[tuple[str, str], dict[int, bool]] = {}  # question step -> first answer right
        matched: dict[tuple[str, str], int] = {}  # index in MATCHED_BY, strongest seen
        for learner, lesson, step, correct, at, answered, linked, identified_by in rows:
            key = (learner, lesson)  # rows come oldest first
            done.setdefault(key, set())
            how = "link" if linked else identified_by
            rank = MATCHED_BY.index(how) if how in MATCHED_BY else 0
            matched[key] = max(matched.get(key, 0), rank)
            if correct:
                done[key].add(step)
            if answered:
                first.setdefault(key, {}).setdefault(step, bool(correct))
            at = _aware(at)
            if key not in last or at > last[key]:
                last[key] = at
        out = []
        for (learner, lesson), steps in sorted(done.items()):
            total = totals.get(lesson, max(steps, default=0))
            count = len({s for s in steps if s <= total}) if total else len(steps)
            out.append(
                LessonSummary(
                    learner=learner,
                    lesson=lesson,
                    steps_done=count,
                    steps_total=total,
                    completed=total > 0 and count >= total,
                    last_at=last[(learner, lesson)],
                    answered=len(first.get((learner, lesson), {})),
                    first_right=sum(first.get((learner, lesson), {}).values()),
                    matched_by=MATCHED_BY[matched[(learner, lesson)]],
                )
            )
        return out

    def resume_step(self, learner: str, lesson: str) -> int:
        """The step to show a returning learner: the first one not done yet (1 if new).

        When every step is done it returns steps_total + 1, meaning "show the summary".
        """
        done = self.done_steps(learner, lesson)
        total = self.steps_total().get(lesson)
        step = 1
        while step in done and (total is None or step <= total):
            step += 1
        return step


def _strip(row: dict[str, Any]) -> dict[str, Any]:
    """An outbox row as column values (without its kind and with `at` left to the caller)."""
    return {k: v for k, v in row.items() if k not in ("kind", "at")}


def _aware_at(row: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(row["at"])
