"""The academy inside each learner's (and trainer's) Jupyter server on the hub.

A Jupyter server extension (enabled by deploy/jupyterhub/{learner,trainer}/
jupyter_server_config.json) that gives every hub user the same academy `academy serve`
gives a classroom, under their own server:

- `<base>academy/`: the built site (the portal and the course books);
- `<base>academy/lessons/<course>/<lesson>/`: that click-through lesson, run by Voilà with
  the academy's template, in a kernel of this server, so the learner is the hub user
  (`JUPYTERHUB_USER`) and every answer lands in the progress store under their roster id;

The site's links to lessons and the lessons' links back are relative, so they work under
any prefix. Voilà reads notebooks through the server's contents manager, so the built
lessons appear as `lessons/` in the server's root folder (a link to the built lessons,
made at start-up; read-only for the learner).

Where the built academy is: `ACADEMY_SITE_DIR` and `ACADEMY_LESSONS_DIR` (set by the hub
for each server, or baked into the learner image).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web

from academy.serve.voila import NAME, LessonHandler, QuietStatic

SITE_ENV = "ACADEMY_SITE_DIR"
LESSONS_ENV = "ACADEMY_LESSONS_DIR"
#: The lessons' folder as the server's contents manager sees it (relative to its root).
LESSONS_LINK = "lessons"


class SiteHandler(JupyterHandler, QuietStatic):
    """The built site, for the logged-in hub user only; no listings."""

    write_error = QuietStatic.write_error  # the academy's plain page, not Jupyter's

    @web.authenticated
    # JupyterHandler and StaticFileHandler declare get() differently; this is the latter's
    def get(self, path: str, include_body: bool = True) -> Any:  # type: ignore[override]
        return web.StaticFileHandler.get(self, path, include_body)


class HubLessonHandler(LessonHandler):
    """A lesson on the hub: Voilà's page without the MathJax URL a Jupyter server would
    otherwise give it (a CDN; the lessons have no maths), as under `academy serve`."""

    @property
    def settings(self) -> dict[str, Any]:
        own = self.__dict__.get("_academy_settings")
        if own is None:
            own = {**self.application.settings, "mathjax_url": None, "mathjax_config": None}
            self.__dict__["_academy_settings"] = own
        return own


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "academy.hub.extension"}]


def link_lessons(root_dir: Path, lessons: Path) -> Path:
    """Make `<root_dir>/lessons` point at the built lessons (replacing a stale link)."""
    link = root_dir / LESSONS_LINK
    if link.is_symlink() and Path(os.readlink(link)) != lessons:
        link.unlink()
    if not link.exists() and not link.is_symlink():
        link.symlink_to(lessons, target_is_directory=True)
    return link


def _load_jupyter_server_extension(server_app: Any) -> None:
    from voila.configuration import VoilaConfiguration
    from voila.paths import collect_template_paths

    from academy.serve.voila import use_academy_template

    site = os.environ.get(SITE_ENV, "")
    lessons = os.environ.get(LESSONS_ENV, "")
    if not site or not lessons:
        server_app.log.warning(
            "academy: %s and %s are not set; the academy is not served here", SITE_ENV, LESSONS_ENV
        )
        return
    use_academy_template()
    web_app = server_app.web_app
    base = web_app.settings["base_url"]
    root = Path(os.path.expanduser(server_app.root_dir))
    with contextlib.suppress(OSError):
        link_lessons(root, Path(lessons))
    voila = VoilaConfiguration(parent=server_app)
    render = {
        "config": server_app.config,
        "template_paths": collect_template_paths(["voila", "nbconvert"], voila.template),
        "voila_configuration": voila,
    }
    web_app.settings["academy_lessons_dir"] = lessons
    web_app.settings["academy_lessons_prefix"] = f"{LESSONS_LINK}/"
    academy = url_path_join(base, "academy")
    web_app.add_handlers(
        ".*$",
        [
            (
                url_path_join(academy, rf"lessons/(?P<course>{NAME})/(?P<lesson>{NAME})/?"),
                HubLessonHandler,
                render,
            ),
            (academy, web.RedirectHandler, {"url": academy + "/"}),
            (
                url_path_join(academy, "(.*)"),
                SiteHandler,
                {"path": site, "default_filename": "index.html"},
            ),
        ],
    )
    server_app.log.info("academy: site at %s/, lessons from %s", academy, lessons)
