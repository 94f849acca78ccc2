"""The progress store: every answer a learner gives in a click-through lesson.

One row per attempt (learner, lesson, step, attempt, correct, answer, time), kept
through SQLAlchemy: SQLite in the user's data dir by default, or any SQLAlchemy URL
(PostgreSQL for a hosted academy) from `ACADEMY_PROGRESS_URL` or the constructor.

Conventions other code relies on:

- a lesson id is '<course>/<lesson>' (the click-through YAML's course folder and stem);
- steps are numbered from 1, as learners see them ("Step 3 of 9");
- a step is *done* once it has a correct attempt; steps that ask nothing (read, table)
  are recorded as one correct attempt with answer None when the learner moves on;
- `register_lesson` stores how many steps a lesson has, so summaries can say
  "5 of 9 steps" even for learners who have done none of the later ones.

    store = ProgressStore()
    store.record("maria", "reading-charts/misleading-axis", step=2, attempt=1,
                 correct=False, answer="Phone")
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.exc import OperationalError

from academy.core.errors import AcademyError

PROGRESS_URL_ENV = "ACADEMY_PROGRESS_URL"

metadata = MetaData()

attempts_table = Table(
    "attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("learner", String(200), nullable=False, index=True),
    Column("lesson", String(200), nullable=False, index=True),
    Column("step", Integer, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("correct", Boolean, nullable=False),
    Column("answer", Text, nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
)

lessons_table = Table(
    "lessons",
    metadata,
    Column("lesson", String(200), primary_key=True),
    Column("title", String(300), nullable=False, default=""),
    Column("steps_total", Integer, nullable=False),
)


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


@dataclass(frozen=True)
class LessonSummary:
    """How far one learner got in one lesson."""

    learner: str
    lesson: str
    steps_done: int
    steps_total: int
    completed: bool
    last_at: datetime


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
        return create_engine(url, pool_pre_ping=True)
    except Exception as exc:  # bad URL, missing driver
        raise AcademyError(
            f"{PROGRESS_URL_ENV}={url}: cannot open the progress store ({exc}); "
            "use a SQLAlchemy URL such as sqlite:///path/progress.sqlite"
        ) from exc


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class ProgressStore:
    """Answers and progress of every learner, in one SQL database."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_url()
        self.engine = _engine(self.url)
        for attempt in range(20):
            try:
                metadata.create_all(self.engine)
                break
            except OperationalError as exc:  # maybe another kernel is creating them right now
                if attempt == 19:
                    raise AcademyError(
                        f"{self.url}: cannot create the progress tables ({exc}); "
                        "check the path or database permissions"
                    ) from exc
                time.sleep(0.1 * (attempt + 1))

    def close(self) -> None:
        self.engine.dispose()

    def register_lesson(self, lesson: str, steps_total: int, title: str = "") -> None:
        """Remember how many steps `lesson` has (call when a learner opens it)."""
        with self.engine.begin() as conn:
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

    def record(
        self,
        learner: str,
        lesson: str,
        step: int,
        attempt: int,
        correct: bool,
        answer: Any,
        at: datetime | None = None,
    ) -> None:
        """Store one attempt; `answer` is anything JSON can hold (None for 'seen')."""
        with self.engine.begin() as conn:
            conn.execute(
                attempts_table.insert().values(
                    learner=learner,
                    lesson=lesson,
                    step=int(step),
                    attempt=int(attempt),
                    correct=bool(correct),
                    answer=None if answer is None else json.dumps(answer, default=str),
                    at=_aware(at or datetime.now(UTC)),
                )
            )

    def attempts(self, learner: str | None = None, lesson: str | None = None) -> list[Attempt]:
        """Every attempt, oldest first, optionally for one learner and/or lesson."""
        query = select(attempts_table).order_by(attempts_table.c.at, attempts_table.c.id)
        if learner is not None:
            query = query.where(attempts_table.c.learner == learner)
        if lesson is not None:
            query = query.where(attempts_table.c.lesson == lesson)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            Attempt(
                learner=row["learner"],
                lesson=row["lesson"],
                step=row["step"],
                attempt=row["attempt"],
                correct=bool(row["correct"]),
                answer=None if row["answer"] is None else json.loads(row["answer"]),
                at=_aware(row["at"]),
            )
            for row in rows
        ]

    def steps_total(self) -> dict[str, int]:
        """{lesson id: number of steps} for every lesson a learner has opened."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(lessons_table.c.lesson, lessons_table.c.steps_total))
            return {lesson: total for lesson, total in rows}

    def done_steps(self, learner: str, lesson: str) -> set[int]:
        """Step numbers this learner has answered correctly (or seen) in `lesson`."""
        query = (
            select(attempts_table.c.step)
            .where(attempts_table.c.learner == learner)
            .where(attempts_table.c.lesson == lesson)
            .where(attempts_table.c.correct.is_(True))
            .distinct()
        )
        with self.engine.connect() as conn:
            return {row[0] for row in conn.execute(query)}

    def attempt_count(self, learner: str, lesson: str, step: int) -> int:
        """How many attempts this learner already made at this step."""
        query = (
            select(func.count())
            .select_from(attempts_table)
            .where(attempts_table.c.learner == learner)
            .where(attempts_table.c.lesson == lesson)
            .where(attempts_table.c.step == step)
        )
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def lesson_summaries(self) -> list[LessonSummary]:
        """One summary per (learner, lesson) that has any attempt, sorted by learner and lesson."""
        totals = self.steps_total()
        query = select(
            attempts_table.c.learner,
            attempts_table.c.lesson,
            attempts_table.c.step,
            attempts_table.c.correct,
            attempts_table.c.at,
        )
        done: dict[tuple[str, str], set[int]] = {}
        last: dict[tuple[str, str], datetime] = {}
        with self.engine.connect() as conn:
            for learner, lesson, step, correct, at in conn.execute(query):
                key = (learner, lesson)
                done.setdefault(key, set())
                if correct:
                    done[key].add(step)
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
