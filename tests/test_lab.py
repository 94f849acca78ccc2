"""`academy lab`: JupyterLab on the analyst lessons (as notebooks) and released exercises,
offline, with kernels that read the academy's city from outside the checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import nbformat
import pytest
import websocket

from academy.core.errors import AcademyError
from academy.serve.lab import (
    LAB_EXTENSIONS_OFF,
    lab_arguments,
    prepare_workspace,
    workspace_dir,
)

REPO = Path(__file__).resolve().parents[1]
TOKEN = "lab-test-token"


def _notebook(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(text)]), path)
    return path


def _built_book(root: Path, course: str, lessons: list[str]) -> Path:
    html = root / "build" / "books" / "somewhere" / course / "_build" / "html"
    for lesson in lessons:
        _notebook(html / "_sources" / f"{lesson}.ipynb", f"print({lesson!r})")
        (html / "_sources" / f"{lesson}.md").write_text("# the page's own source")
    return html


def test_workspace_holds_every_lesson_and_released_exercise(tmp_path: Path) -> None:
    books = {
        "pandas-311": _built_book(tmp_path, "pandas-311", ["load-and-inspect"]),
        "cleaning-city-data": _built_book(tmp_path, "cleaning-city-data", ["one-row", "codes"]),
        "not-built-yet": tmp_path / "build" / "books" / "missing" / "_build" / "html",
    }
    release = tmp_path / "cohorts" / "spring" / "release" / "cleaning-city-data"
    _notebook(release / "cleaning-city-data.ipynb", "def looks_filled(frame): ...")
    ws = prepare_workspace(tmp_path, "baltimore", books, {"cleaning-city-data": release})
    assert ws.folder == workspace_dir(tmp_path, "baltimore")
    assert [p.relative_to(ws.folder).as_posix() for p in ws.notebooks] == [
        "exercises/cleaning-city-data/cleaning-city-data.ipynb",
        "lessons/cleaning-city-data/codes.ipynb",
        "lessons/cleaning-city-data/one-row.ipynb",
        "lessons/pandas-311/load-and-inspect.ipynb",
    ]
    assert ws.unbuilt == ["not-built-yet"]
    assert not list(ws.folder.rglob("*.md")), "only notebooks belong in the lab"


def test_the_learners_work_is_never_overwritten(tmp_path: Path) -> None:
    books = {"pandas-311": _built_book(tmp_path, "pandas-311", ["load-and-inspect"])}
    first = prepare_workspace(tmp_path, "chicago", books)
    mine = first.copied[0]
    _notebook(mine, "my own analysis")
    again = prepare_workspace(tmp_path, "chicago", books)
    assert again.copied == [] and again.kept == [mine]
    assert "my own analysis" in mine.read_text()


def test_no_built_lessons_is_one_line_naming_the_fix(tmp_path: Path) -> None:
    empty = {"pandas-311": tmp_path / "build" / "books" / "x" / "_build" / "html"}
    with pytest.raises(AcademyError) as caught:
        prepare_workspace(tmp_path, "los-angeles", empty)
    message = str(caught.value)
    assert "\n" not in message and "academy build --city los-angeles" in message


def test_lab_settings_keep_it_local_and_offline(tmp_path: Path) -> None:
    arguments = lab_arguments(tmp_path, 8999, open_browser=False)
    assert "--ServerApp.ip=127.0.0.1" in arguments
    assert "--LabApp.news_url=None" in arguments
    assert "--LabApp.extension_manager=readonly" in arguments
    assert any("NeverCheckForUpdate" in a for a in arguments)


# --- the real thing: `academy lab` on the built academy --------------------------------


def _get(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def _post(url: str, body: dict) -> dict:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def _run_in_kernel(base: str, kernel_id: str, code: str) -> str:
    """Execute `code` in a kernel of the lab over its websocket; what it printed."""
    ws = websocket.create_connection(
        f"ws://{base}/api/kernels/{kernel_id}/channels?token={TOKEN}", timeout=120
    )
    msg_id = uuid.uuid4().hex
    ws.send(
        json.dumps(
            {
                "header": {
                    "msg_id": msg_id,
                    "msg_type": "execute_request",
                    "username": "test",
                    "session": uuid.uuid4().hex,
                    "version": "5.3",
                },
                "parent_header": {},
                "metadata": {},
                "content": {"code": code, "silent": False},
                "channel": "shell",
            }
        )
    )
    printed = []
    try:
        while True:
            message = json.loads(ws.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = message["msg_type"]
            if kind == "stream":
                printed.append(message["content"]["text"])
            elif kind == "error":
                raise AssertionError(message["content"]["evalue"])
            elif kind == "status" and message["content"]["execution_state"] == "idle":
                return "".join(printed)
    finally:
        ws.close()


@pytest.mark.slow
def test_academy_lab_opens_the_lessons_with_kernels_on_the_city(built_cities, tmp_path) -> None:
    city = "baltimore"
    port = 8940 + os.getpid() % 50
    # the tests build each city into a folder of its own, its books kept in pytest's cache:
    # a build folder whose books/ is that cache is what `academy build` would have left
    html = next(r.html for r in built_cities[city].books if r.course_id == "cleaning-city-data")
    build = tmp_path / "build"
    build.mkdir()
    (build / "books").symlink_to(html.parents[4])
    env = {**os.environ, "JUPYTER_TOKEN": TOKEN, "HOME": str(tmp_path)}
    # a file, not a pipe: nobody reads a pipe while the lab runs, and a full one blocks it
    log_path = tmp_path / "lab.log"
    log = log_path.open("wb")
    lab = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "academy"),
            "lab",
            "--city",
            city,
            "--no-browser",
            "--port",
            str(port),
            "--root",
            str(REPO),
            "--build-dir",
            str(build),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                _get(f"http://{base}/api/status")
                break
            except OSError:
                assert lab.poll() is None, log_path.read_text(errors="replace")[-2000:]
                time.sleep(1)
        lessons = json.loads(_get(f"http://{base}/api/contents/lessons"))
        courses = {item["name"] for item in lessons["content"]}
        assert {"pandas-311", "cleaning-city-data"} <= courses
        page = _get(f"http://{base}/lab").decode()
        config = json.loads(
            page.split('id="jupyter-config-data" type="application/json">')[1].split("</script>")[0]
        )
        assert set(LAB_EXTENSIONS_OFF) <= set(config.get("disabledExtensions", {})), config.get(
            "disabledExtensions"
        )
        news = json.loads(_get(f"http://{base}/lab/api/news"))
        assert news.get("news") == [], news
        kernel = _post(f"http://{base}/api/kernels", {"name": "python3"})
        printed = _run_in_kernel(
            base,
            kernel["id"],
            "from academy.lesson import city, table\n"
            "print(city().name, len(table('service_requests')) > 0)",
        )
        from academy.data.city import city_name

        assert printed.strip() == f"{city_name(city, REPO)} True"
    finally:
        lab.terminate()
        try:
            lab.wait(timeout=30)
        except subprocess.TimeoutExpired:
            lab.kill()
            lab.wait()
        log.close()
