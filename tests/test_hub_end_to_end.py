"""The whole story on one machine (127.0.0.1), with the real academy, PostgreSQL and Dask:

the trainer starts the hub and releases an exercise through nbgrader's exchange; a
learner logs in, opens a click-through lesson through Voilà and answers a step (recorded
in PostgreSQL under the hub user), fetches the exercise from the Assignments API,
answers it and submits it; the trainer collects, grades on a 2-worker Dask cluster,
exports and writes the report, which shows both the lesson and the grade for that
learner; learners do not get formgrader; everything is stopped afterwards.
"""

from __future__ import annotations

import csv
import io
import json
import re

import nbformat
import pytest
from dask_support import local_cluster
from hub_support import PASSWORD, REPO, academy, running_hub
from site_browser import chromium, free_port, is_external
from test_clickthrough_browser import Learner, do_step

from academy.cohort.samples import model_answers, submission
from academy.progress.store import ProgressStore

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning"),
]

COHORT = "hub-e2e"
EXERCISE = "pandas-311-first-look"
LESSON = "requests-and-rows/one-request-one-row"
LEARNER = "ana"


class OnHub(Learner):
    """The click-through test's learner helpers, on a page the hub already signed in."""

    def __init__(self, page) -> None:
        self.page = page


def xsrf(context) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == "_xsrf")


def test_hub_end_to_end(academy_build, postgres_url, tmp_path) -> None:
    cohorts = tmp_path / "cohorts"
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "id,name,email\nana,Ana Lopez,ana@city.example.gov\nben,Ben Okafor,ben@city.example.gov\n"
    )
    env = {"ACADEMY_PROGRESS_URL": postgres_url, "ACADEMY_ROOT": str(REPO)}
    academy("cohort", "create", COHORT, "--roster", str(roster), "--track", "foundations",
            "--root", str(REPO), "--dir", str(cohorts), env=env)  # fmt: skip
    hub_state = tmp_path / "hub"
    with running_hub(
        COHORT, cohorts, hub_state, free_port(), postgres_url, build=academy_build.out
    ) as hub:
        # the trainer releases the exercise to the hub's exchange
        academy("cohort", "release", COHORT, EXERCISE, "--exchange", str(hub.exchange),
                "--dir", str(cohorts), env=env)  # fmt: skip
        with chromium() as browser:
            context = browser.new_context(base_url=hub.url)
            external: list[str] = []

            def route(r) -> None:
                if is_external(r.request.url):
                    external.append(r.request.url)
                    r.abort()
                else:
                    r.continue_()

            context.route("**/*", route)
            page = context.new_page()
            page.set_default_timeout(120_000)
            # the learner logs in; their server opens the academy
            page.goto("/hub/login")
            page.fill("input[name=username]", LEARNER)
            page.fill("input[name=password]", PASSWORD)
            page.click("input[type=submit], button[type=submit]")
            page.wait_for_url(re.compile(rf"/user/{LEARNER}/academy/"), timeout=180_000)
            assert "Academy" in page.title() or page.locator("h1").count()
            # a click-through lesson through Voilà, done to the end: the hub user is the learner
            page.goto(f"/user/{LEARNER}/academy/lessons/{LESSON}/")
            lesson = json.loads((academy_build.out / "lessons" / f"{LESSON}.json").read_text())
            learner = OnHub(page)
            learner.heading(lesson["steps"][0]["title"])
            assert page.locator(".academy-who", has_text=LEARNER).count() == 1
            for n, step in enumerate(lesson["steps"]):
                do_step(learner, step)
                learner.button("Finish" if n == len(lesson["steps"]) - 1 else "Next").click()
            page.locator(".academy-step-heading", has_text="Well done").wait_for()
            assert not external, f"requests left the machine: {external}"

            # the Assignments API of nbgrader in the learner's server: fetch, answer, submit
            api = context.request
            headers = {"X-XSRFToken": xsrf(context)}
            base = f"/user/{LEARNER}"
            listed = api.get(f"{base}/assignments?course_id={COHORT}", headers=headers).json()
            assert [a["assignment_id"] for a in listed["value"]] == [EXERCISE]
            form = {"course_id": COHORT, "assignment_id": EXERCISE}
            assert api.post(f"{base}/assignments/fetch", form=form, headers=headers).ok
            path = f"{EXERCISE}/{EXERCISE}.ipynb"
            got = api.get(f"{base}/api/contents/{path}?content=1", headers=headers).json()
            released = nbformat.from_dict(got["content"])
            source = nbformat.read(
                next((REPO / "exercises" / "source" / EXERCISE).glob("*.ipynb")), as_version=4
            )
            answered = submission(released, model_answers(source))
            saved = api.put(
                f"{base}/api/contents/{path}",
                data=json.dumps({"type": "notebook", "format": "json", "content": answered}),
                headers={**headers, "Content-Type": "application/json"},
            )
            assert saved.ok, saved.text()
            submitted = api.post(f"{base}/assignments/submit", form=form, headers=headers)
            assert submitted.ok and submitted.json()["success"], submitted.text()
            # learners do not get the trainer's tools
            assert api.get(f"{base}/formgrader", headers=headers).status == 404
            context.close()

        # recorded in PostgreSQL under the hub user, who is the roster id
        store = ProgressStore(postgres_url)
        attempts = store.attempts(lesson=LESSON)
        assert attempts and {(a.learner, a.roster_id, a.identified_by) for a in attempts} == {
            (LEARNER, LEARNER, "hub")
        }
        (summary,) = [s for s in store.lesson_summaries() if s.lesson == LESSON]
        assert summary.learner == LEARNER and summary.completed

        # the trainer collects, grades on a 2-worker Dask cluster, exports, reports
        collected = academy("cohort", "collect", COHORT, EXERCISE, "--exchange",
                            str(hub.exchange), "--dir", str(cohorts), env=env)  # fmt: skip
        assert (
            "Imported 1 submission(s)" in collected and "No submission yet from: ben" in collected
        )
        with local_cluster(workers=2, log_dir=tmp_path) as cluster:
            graded = academy("cohort", "grade", COHORT, EXERCISE, "--scheduler", cluster.address,
                             "--dir", str(cohorts), env=env)  # fmt: skip
        assert "Graded 1 submission(s)" in graded and "(bwrap sandbox)" in graded
        exported = academy("cohort", "export", COHORT, "--format", "csv", "--dir", str(cohorts))
        rows = {row["id"]: row for row in csv.DictReader(io.StringIO(exported))}
        total = rows[LEARNER][f"{EXERCISE} max"]
        assert float(total) > 0 and rows[LEARNER][f"{EXERCISE} total"] == total
        assert rows["ben"][f"{EXERCISE} status"] == "missing"
        report_dir = tmp_path / "report"
        academy(
            "cohort", "report", COHORT, "--out", str(report_dir), "--dir", str(cohorts), env=env
        )
        report = (report_dir / "index.html").read_text()
        progress = report[report.index('<h3 id="progress">') :]  # "Progress per learner"
        row = re.search(r"<tr><th scope=\"row\">Ana Lopez.*?</tr>", progress, re.S)
        assert row, "the report has no row for the learner"
        cells = [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<td[^>]*>.*?</td>", row.group(0), re.S)
        ]
        lessons_total = len(list((REPO / "tracks" / "foundations").glob("*/clickthrough/*.yml")))
        assert f"1 of {lessons_total}" in cells, cells  # the lesson, from PostgreSQL
        assert cells[1:-2] == ["100%"], cells  # the grade: full marks, from the gradebook
    assert "Traceback" not in (tmp_path / "hub" / "academy-hub.out").read_text()
