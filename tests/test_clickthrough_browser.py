"""Every click-through lesson, done by a learner in headless Chromium against the real server.

One lesson server (Voilà, warm kernels, the academy template) serves lessons built from
the real curriculum and data. For each lesson the test signs a learner in, gives one
wrong and one right answer to every question (checking the feedback for both, and that
it is on the screen), moves on to the summary, and checks the answers landed in the
progress store. The lessons are done on phone (390 and 360 px wide) and tablet screens:
nothing may overflow sideways and chart text must be at least 11 px. One lesson is done
with the keyboard alone. Every page fails on any request that leaves 127.0.0.1, and
axe-core must find no serious or critical WCAG 2.1 AA problem.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from site_browser import WCAG_TAGS, chromium, free_port, is_external

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
CITY = "baltimore"
RIGHT = "Right."
WRONG = "Not quite yet."


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Lessons built for the active city, and a stand-in home page."""
    from academy.clickthrough.build import build_clickthrough
    from academy.curriculum.loading import load_curriculum

    out = tmp_path_factory.mktemp("academy")
    site = out / "site"
    site.mkdir()
    (site / "index.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>Academy</title></head><body><main><h1>Home</h1></main></body></html>'
    )
    cur, _ = load_curriculum(REPO)
    lessons = build_clickthrough(cur, CITY, out, site)
    assert len(lessons) >= 10
    return out


def start_server(built: Path, home: Path, *extra: str):
    """The lesson server on a free port; returns (process, base URL, store URL, log)."""
    store_url = f"sqlite:///{home / 'progress.sqlite'}"
    port = free_port()
    env = {**os.environ, "ACADEMY_PROGRESS_URL": store_url, "ACADEMY_HOME": str(home)}
    env.pop("JUPYTERHUB_USER", None)
    log = open(home / "server.log", "w")  # noqa: SIM115 - closed by stop_server
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "academy.serve.voila",
            "--lessons",
            str(built / "lessons"),
            "--site",
            str(built / "site"),
            "--port",
            str(port),
            *extra,
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{base}/voila/static/voila.js", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.5)
    else:
        stop_server(proc, log)
        pytest.fail("lesson server did not start")
    if proc.poll() is not None:
        log.close()
        pytest.fail((home / "server.log").read_text())
    return proc, base, store_url, log


def stop_server(proc, log) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def server(built: Path, tmp_path_factory):
    """The lesson server with its defaults (2 warm kernels); yields (base URL, store URL)."""
    proc, base, store_url, log = start_server(
        built, tmp_path_factory.mktemp("home"), "--class-size", "2"
    )
    yield base, store_url
    stop_server(proc, log)


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def lesson_ids() -> list[str]:
    folder = REPO / "tracks" / "foundations"
    return sorted(f"{p.parent.parent.name}/{p.stem}" for p in folder.glob("*/clickthrough/*.yml"))


VIEWPORTS = [
    {"width": 390, "height": 844},
    {"width": 360, "height": 740},
    {"width": 768, "height": 1024},
]


class Learner:
    """A page plus the helpers a learner's actions need; records external requests."""

    def __init__(self, browser, url: str, name: str | None = None, viewport=None):
        self.viewport = viewport or {"width": 1000, "height": 900}
        self.context = browser.new_context(viewport=self.viewport)
        self.external: list[str] = []

        def route(r) -> None:
            if is_external(r.request.url):
                self.external.append(r.request.url)
                r.abort()
            else:
                r.continue_()

        self.context.route("**/*", route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(20000)
        self.page.goto(url)
        if name is not None:
            self.sign_in(name)

    def sign_in(self, name: str) -> None:
        """Sign in on the form the lesson sends a new device to, then wait for the lesson."""
        self.page.wait_for_selector("#learner")
        self.page.fill("#learner", name)
        self.page.keyboard.press("Enter")
        self.wait_for_lesson()

    def wait_for_lesson(self) -> None:
        # The server's warm kernels may still be starting on a loaded 2-core CI box;
        # start-up speed is measured by bench/bench_clickthrough.py, not here.
        self.page.wait_for_selector(".academy-step-heading", timeout=90000)

    def close(self) -> None:
        self.context.close()

    def button(self, name: str):
        return self.page.get_by_role("button", name=name, exact=True)

    def feedback(self) -> str:
        return self.page.locator(".academy-main .academy-feedback").last.inner_text()

    def expect_feedback(self, start: str) -> None:
        loc = self.page.locator(".academy-main .academy-feedback").last
        loc.locator(f"text={start}").first.wait_for()
        self.page.wait_for_function(
            """() => { const els = document.querySelectorAll('.academy-main .academy-feedback');
                const r = els[els.length - 1].getBoundingClientRect();
                // a fraction of a pixel past the edge is layout rounding, not hidden
                return r.height > 0 && r.top >= -1 && r.bottom <= window.innerHeight + 1; }""",
            timeout=15000,  # a smooth scroll on a loaded 2-core box; visibility is the test
        )

    def layout_problems(self) -> list[str]:
        """Sideways overflow and chart text under 11 px on this screen."""
        found = self.page.evaluate(
            """() => {
              const out = [];
              const doc = document.documentElement;
              if (doc.scrollWidth > window.innerWidth + 1) out.push('page is ' + doc.scrollWidth + ' px wide');
              document.querySelectorAll('.academy-chart svg').forEach(svg => {
                if (!svg.getClientRects().length) return;
                const scale = svg.getScreenCTM().a;
                svg.querySelectorAll('text').forEach(t => {
                  const size = parseFloat(getComputedStyle(t).fontSize) * scale;
                  if (t.textContent.trim() && size < 11) out.push('chart text ' + size.toFixed(1) + ' px: ' + t.textContent);
                });
              });
              return out;
            }"""
        )
        return [f"{self.viewport['width']} px: {p}" for p in found]

    def heading(self, title: str) -> None:
        self.page.locator(".academy-step-heading", has_text=title).first.wait_for()

    def axe(self) -> list[str]:
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(self.page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        return [
            f"{v['id']} ({v['impact']}): {v['help']}: {v['nodes'][0]['target']}"
            for v in results.response["violations"]
            if v.get("impact") in {"serious", "critical"}
        ]

    def type_guess(self, value: float) -> None:
        box = self.page.get_by_label("Or type your guess", exact=True)
        box.fill(f"{value:g}")
        box.press("Tab")  # the value is sent when the box loses focus
        wait_for_readout(self.page, "Your guess", value)

    def set_slider(self, label: str, value: float, low: float, step: float) -> None:
        handle = self.page.locator(f"[role=slider][aria-label='{label}']").first
        handle.focus()
        handle.press("Home")
        moves = round((value - low) / step)
        for _ in range(moves):
            handle.press("ArrowRight")
        wait_for_readout(self.page, label, low + moves * step)


def wait_for_readout(page, label: str, value: float) -> None:
    """Wait until the slider shows `value` (its new value has reached the kernel's model)."""
    page.wait_for_function(
        """([label, value]) => Array.from(document.querySelectorAll('.academy-slider')).some(box => {
            const name = box.querySelector('.widget-label');
            const out = box.querySelector('.widget-readout');
            return name && out && name.textContent.trim() === label
                && Math.abs(parseFloat(out.textContent.replace(/,/g, '')) - value) < 1e-3;
        })""",
        arg=[label, value],
    )
    page.wait_for_timeout(150)


def do_step(learner: Learner, step: dict) -> None:
    """One wrong and one right answer (questions), then Next; checks both feedbacks."""
    kind = step["kind"]
    learner.heading(step["title"])
    if kind in {"choice", "chart"}:
        right = step["answer"]
        texts = [c["text"] for c in step["choices"]]
        wrong = [i for i in range(len(texts)) if i not in right]
        if not step["multiple"]:
            learner.button(texts[wrong[0]]).click()
            learner.expect_feedback(WRONG)
            learner.button(texts[right[0]]).click()
        else:
            main = learner.page.locator(".academy-main")
            main.get_by_label(texts[wrong[0]], exact=True).check()
            learner.button("Check my answer").click()
            learner.expect_feedback(WRONG)
            main.get_by_label(texts[wrong[0]], exact=True).uncheck()
            for i in right:
                main.get_by_label(texts[i], exact=True).check()
            learner.button("Check my answer").click()
    elif kind == "order":
        for i in step["start"]:
            learner.button(step["items"][i]).click()
        learner.expect_feedback(WRONG)
        learner.button("Start the order again").click()
        for text in step["items"]:
            learner.button(text).click()
    elif kind == "spot":
        fine = next(i for i in range(len(step["grid"]["rows"])) if i not in step["problem_rows"])
        learner.button(f"Row {fine + 1}").click()
        learner.expect_feedback(WRONG)
        learner.button(f"Row {step['problem_rows'][0] + 1}").click()
    elif kind == "estimate":
        learner.button("Check my guess").click()  # the slider starts outside the tolerance
        learner.expect_feedback(WRONG)
        # a typed guess is the one checked: a wrong bound of the slider it does not start at
        typed = [
            bound
            for bound in (step["max"], step["min"])
            if bound != step["start"] and abs(bound - step["answer"]) > step["tolerance"]
        ]
        assert typed, f"{step['title']}: no wrong guess to type"
        learner.type_guess(typed[0])
        learner.button("Check my guess").click()
        said = f"{typed[0]:,.0f}" if float(typed[0]).is_integer() else f"{typed[0]:,.1f}"
        learner.expect_feedback(f"{WRONG}")
        learner.page.locator(
            ".academy-main .academy-feedback", has_text=f"You said {said}"
        ).wait_for()
        learner.set_slider("Your guess", step["answer"], step["min"], step["step"])
        learner.button("Check my guess").click()
    elif kind == "simulation":
        learner.button("Check my plan").click()  # crews start evenly split: not enough
        learner.expect_feedback(WRONG)
        for area, crews in zip(step["areas"], step["example"], strict=True):
            learner.set_slider(f"Crews in {area['name']}", crews, 0, 1)
        learner.button("Check my plan").click()
    if kind not in {"read", "table"}:
        learner.expect_feedback(RIGHT)


@pytest.mark.parametrize("lesson_id", lesson_ids())
def test_lesson_by_clicking(lesson_id: str, built: Path, server, browser) -> None:
    from academy.progress.store import ProgressStore

    base, store_url = server
    lesson = json.loads((built / "lessons" / f"{lesson_id}.json").read_text())
    learner_name = f"Tester {lesson_id.split('/')[1]}"
    viewport = VIEWPORTS[lesson_ids().index(lesson_id) % len(VIEWPORTS)]
    learner = Learner(browser, f"{base}/lessons/{lesson_id}/", viewport=viewport)
    try:
        problems = learner.axe()  # the sign-in page
        learner.sign_in(learner_name)
        problems += learner.axe()
        for n, step in enumerate(lesson["steps"]):
            do_step(learner, step)
            problems += learner.layout_problems()
            if n == next(
                i for i, s in enumerate(lesson["steps"]) if s["kind"] not in {"read", "table"}
            ):
                problems += learner.axe()
            learner.button("Finish" if n == len(lesson["steps"]) - 1 else "Next").click()
        learner.page.locator(".academy-step-heading", has_text="Well done").wait_for()
        problems += learner.axe()
        assert not learner.external, f"requests left the machine: {learner.external}"
        assert not problems, "\n".join(problems)
    finally:
        learner.close()

    store = ProgressStore(store_url)
    learner_name = learner_name.casefold()  # a typed name is kept in one case
    attempts = store.attempts(learner=learner_name, lesson=lesson_id)
    questions = [n + 1 for n, s in enumerate(lesson["steps"]) if s["kind"] not in {"read", "table"}]
    for number in questions:
        tries = [a for a in attempts if a.step == number]
        seen = [(a.step, a.attempt, a.correct, a.answer) for a in attempts]
        assert [a.correct for a in tries][:1] == [False], (
            f"step {number}: first answer should be wrong; got {seen}"
        )
        assert tries[-1].correct, f"step {number}: last answer should be right"
        assert [a.attempt for a in tries] == list(range(1, len(tries) + 1))
    summary = next(
        s for s in store.lesson_summaries() if s.learner == learner_name and s.lesson == lesson_id
    )
    assert summary.completed and summary.steps_done == summary.steps_total == len(lesson["steps"])
    assert store.resume_step(learner_name, lesson_id) == len(lesson["steps"]) + 1


def _tab_to(page, text: str, limit: int = 80) -> None:
    """Press Tab until the focused element's text or label is `text`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement; return (e.getAttribute('aria-label') || e.innerText || e.value || '').trim(); }"
        )
        if focused == text:
            return
    raise AssertionError(f"could not reach '{text}' with the Tab key")


def test_lesson_with_keyboard_only(built: Path, server, browser) -> None:
    """reading-a-table (tables, choices, a slider) done with Tab, Enter, Space and arrows only."""
    base, _store_url = server
    lesson_id = "requests-and-rows/reading-a-table"
    lesson = json.loads((built / "lessons" / f"{lesson_id}.json").read_text())
    learner = Learner(browser, f"{base}/lessons/{lesson_id}/")
    page = learner.page
    try:
        page.locator("#learner").wait_for()
        page.focus("body")
        for _ in range(40):
            page.keyboard.press("Tab")
            if page.evaluate("() => document.activeElement.id") == "learner":
                break
        page.keyboard.type("Keyboard Tester")
        page.keyboard.press("Enter")
        learner.wait_for_lesson()
        for n, step in enumerate(lesson["steps"]):
            learner.heading(step["title"])
            if step["kind"] in {"choice", "chart"}:
                _tab_to(page, step["choices"][step["answer"][0]]["text"])
                page.keyboard.press("Enter")
                learner.expect_feedback(RIGHT)
            elif step["kind"] == "estimate":
                _tab_to(page, "Your guess")
                page.keyboard.press("Home")
                moves = round((step["answer"] - step["min"]) / step["step"])
                for _ in range(moves):
                    page.keyboard.press("ArrowRight")
                wait_for_readout(page, "Your guess", step["min"] + moves * step["step"])
                _tab_to(page, "Check my guess")
                page.keyboard.press("Space")
                learner.expect_feedback(RIGHT)
            else:
                assert step["kind"] in {"read", "table"}, (
                    "extend the keyboard test for this step kind"
                )
            _tab_to(page, "Finish" if n == len(lesson["steps"]) - 1 else "Next")
            page.keyboard.press("Enter")
        page.locator(".academy-step-heading", has_text="Well done").wait_for()
        assert not learner.external
    finally:
        learner.close()


def test_unknown_lesson_and_static_site(server) -> None:
    base, _ = server
    with urllib.request.urlopen(f"{base}/") as home:
        assert b"<h1>Home</h1>" in home.read()
    for path in (
        "/lessons/no-such/lesson/",
        "/voila/render/x.ipynb",
        "/voila/tree",
        "/nothing-here.html",
    ):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"{base}{path}")
        assert err.value.code == 404, path
        assert b"Traceback" not in err.value.read()


def test_fast_typing_signs_in_every_character(server, browser) -> None:
    """A badge scanner types fast and presses Enter: every character is kept."""
    base, _ = server
    learner = Learner(browser, f"{base}/lessons/requests-and-rows/one-request-one-row/")
    try:
        learner.page.wait_for_selector("#learner")
        learner.page.type("#learner", "40123", delay=30)
        learner.page.keyboard.press("Enter")
        learner.wait_for_lesson()
        me = learner.page.evaluate("() => fetch('/api/academy/me').then(r => r.json())")
        assert me == {"learner": "40123", "name": "40123"}
        assert "Learner: 40123" in learner.page.locator(".academy-who").inner_text()
    finally:
        learner.close()


@pytest.mark.parametrize("viewport", [VIEWPORTS[0], VIEWPORTS[2]], ids=["phone", "tablet"])
def test_my_progress_lists_what_is_done_and_left(built: Path, server, browser, viewport) -> None:
    """A learner who finished one lesson and started another: the end screen of the
    finished one leads to My progress, which says what is done, in progress and left."""
    from academy.progress.store import ProgressStore

    base, store_url = server
    name = f"Progress {viewport['width']}"
    store = ProgressStore(store_url)
    done, going = "requests-and-rows/one-request-one-row", "reading-charts/misleading-axis"
    for lesson_id, steps in ((done, None), (going, 1)):
        lesson = json.loads((built / "lessons" / f"{lesson_id}.json").read_text())
        store.register_lesson(lesson_id, len(lesson["steps"]), lesson["title"])
        for number in range(1, (steps or len(lesson["steps"])) + 1):
            store.record(name.casefold(), lesson_id, number, 1, True, "x")
    learner = Learner(browser, f"{base}/lessons/{done}/", name, viewport=viewport)
    try:
        learner.page.get_by_role("link", name="My progress").click()
        learner.page.wait_for_url(f"{base}/my-progress/")
        page = learner.page.locator("main").inner_text()
        # every click-through lesson of every track counts; the certificate line is the
        # foundations track's (the two lessons above are in it)
        total = len(list(REPO.glob("tracks/*/*/clickthrough/*.yml")))
        assert f"You have finished 1 of {total} lessons and have 1 in progress." in page
        assert "Carry on: A chart that tricks the eye" in page
        assert "In progress: 1 of 4 steps done" in page
        assert f"Finish {len(lesson_ids()) - 1} more lessons" in page
        assert "Do it again: One call, one row" in page and "Done on" in page
        problems = learner.layout_problems() + learner.axe()
        assert not problems, "\n".join(problems)
        learner.page.get_by_role("link", name="Carry on: A chart that tricks the eye").first.click()
        learner.wait_for_lesson()
        assert "You stopped at step 2" in learner.page.inner_text(".academy-app")
        assert not learner.external, learner.external
    finally:
        learner.close()


def _signed_in_opener(base: str, name: str) -> urllib.request.OpenerDirector:
    from http.cookiejar import CookieJar

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    data = urllib.parse.urlencode({"learner": name, "next": "/"}).encode()
    opener.open(f"{base}/sign-in/", data=data, timeout=30).read()
    return opener


def _kernel_id(html: str) -> str:
    import re

    found = re.search(r'"kernelId": "([0-9a-f-]{36})"', html)
    assert found, "no kernel id in the lesson page"
    return found.group(1)


def _kill_kernel(server_pid: int, kernel_id: str) -> None:
    """Kill a lesson's kernel process the hard way (as a crash or the OOM killer would)."""
    import psutil

    for child in psutil.Process(server_pid).children(recursive=True):
        if any(kernel_id in part for part in child.cmdline()):
            child.kill()
            return
    raise AssertionError(f"no process for kernel {kernel_id}")


def test_short_idle_settings_never_hang(built: Path, browser, tmp_path_factory) -> None:
    """With a 3 s idle cull: a kernel handed to a page that has not connected yet is kept,
    lessons opened after the spares sat idle all start, and a lesson whose kernel dies
    opens again in a fresh kernel with a plain message (never raw widget text)."""
    proc, base, _store, log = start_server(
        built,
        tmp_path_factory.mktemp("short"),
        "--class-size",
        "2",
        "--cull-idle",
        "3",
        "--cull-interval",
        "1",
        "--connect-grace",
        "60",
    )
    try:
        opener = _signed_in_opener(base, "Slow Page")
        lesson = f"{base}/lessons/reading-charts/misleading-axis/"
        handed = _kernel_id(opener.open(lesson, timeout=120).read().decode())
        time.sleep(6)  # twice the idle timeout, without connecting
        with opener.open(f"{base}/api/kernels/{handed}", timeout=30) as alive:
            assert json.loads(alive.read())["id"] == handed

        time.sleep(4)  # the spares sit idle past the cull timeout too
        pages = [Learner(browser, lesson, name=f"Class {n}") for n in range(3)]
        try:
            for learner in pages:
                text = learner.page.locator("body").inner_text()
                assert "VBox(" not in text and "Loading widget" not in text
            first = pages[0].page
            old = _kernel_id(first.content())
            _kill_kernel(proc.pid, old)
            first.locator("#academy-reload", has_text="opening it again").wait_for(timeout=30000)
            first.wait_for_function(
                "old => { const c = document.getElementById('jupyter-config-data');"
                " return c && !c.textContent.includes(old) && document.querySelector('.academy-step-heading'); }",
                arg=old,
                timeout=90000,
            )
            assert "VBox(" not in first.locator("body").inner_text()
        finally:
            for learner in pages:
                learner.close()
    finally:
        stop_server(proc, log)
