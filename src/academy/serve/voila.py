"""The lesson server: Voilà with the academy's template, plus the built site, on one origin.

- `/` and everything under it: the built site (build/site), no directory listings;
- `/lessons/<course>/<lesson>/`: that lesson, run by Voilà from build/lessons;
- `/voila/...` and `/api/kernels/...`: what Voilà's page needs, nothing more
  (no notebook tree, no file or contents API, kernels accept widget messages only).

Safe defaults: 127.0.0.1, no source and no tracebacks shown, idle kernels culled (never
before their page connects), warm kernels for a whole class so a lesson opens at once
(`academy.serve.kernels`), kernels on Unix sockets (no TCP ports to collide), no Font
Awesome (the stock template loads it from a CDN; the lessons use no icons), the nbgrader
and notebook lab extensions denied.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import tornado.web
from traitlets import Any as TraitAny
from traitlets import List, Unicode
from traitlets.config import Config
from voila.app import Voila
from voila.tornado.contentshandler import VoilaContentsHandler
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.treehandler import TornadoVoilaTreeHandler

from academy.core import defaults
from academy.core.brand import plain_page
from academy.core.errors import AcademyError
from academy.serve.kernels import DEFAULT_CLASS_SIZE, KernelBudget
from academy.serve.my_progress import CohortTrack, NeedsOf

TEMPLATE = "academy"
JUPYTER_DIR = Path(__file__).parent / "jupyter"
DENIED_EXTENSIONS = [
    "@jupyter/nbgrader",
    "@jupyter-notebook/lab-extension",
    "@voila-dashboards/jupyterlab-preview",
]
NAME = r"[a-z0-9][a-z0-9-]*"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "SAMEORIGIN",
}

NOT_FOUND = plain_page(
    "Page not found",
    "<h1>We could not find that page</h1><p>The address may be old or mistyped.</p>"
    '<p><a href="/">Go to the academy home page</a></p>',
    home="/",
)


@dataclass(frozen=True)
class ServerOptions:
    """How the lesson server runs; the defaults suit a class on one machine."""

    host: str = defaults.SERVE_HOST
    port: int = defaults.SERVE_PORT
    class_size: int = DEFAULT_CLASS_SIZE
    """Warm kernels kept at least (a cohort's roster size; 0: start one per page)."""
    memory_budget_mb: int = 0
    """Memory all lesson kernels may use (0: half of this machine's)."""
    cull_idle_seconds: int = defaults.CULL_IDLE_SECONDS
    cull_interval_seconds: int = defaults.CULL_INTERVAL_SECONDS
    connect_grace_seconds: int = defaults.CONNECT_GRACE_SECONDS
    roster: tuple[tuple[str, str], ...] = ()
    """The cohort's (roster id, name) pairs: learners sign in with one of them."""
    cookie_file: Path | None = None
    """Where the secret that signs sign-in cookies is kept (default: the user data dir)."""
    cohort_track: CohortTrack | None = None
    """The track the cohort being served follows, and its pass mark (My progress)."""
    certificate_needs: NeedsOf | None = None
    """What the cohort says a roster learner still needs for its certificate (My progress)."""
    log_level: str = "WARN"

    @property
    def budget(self) -> KernelBudget:
        return (
            KernelBudget(self.memory_budget_mb) if self.memory_budget_mb else KernelBudget.default()
        )


class QuietStatic(tornado.web.StaticFileHandler):
    """Static files with safe headers; unknown paths get a plain page, never a listing."""

    def set_extra_headers(self, path: str) -> None:
        for name, value in SECURITY_HEADERS.items():
            self.set_header(name, value)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(NOT_FOUND if status_code == 404 else f"<h1>{status_code}</h1>")

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if not isinstance(value, tornado.web.HTTPError):
            super().log_exception(typ, value, tb)


#: Times the server reopens a lesson whose kernel failed before it tells the learner to wait.
RETRIES = 3


def retry_page(path: str, tries: int) -> str:
    """A plain page that opens the lesson again (in a fresh kernel) after a moment."""
    from html import escape
    from urllib.parse import urlencode

    if tries < RETRIES:
        title, delay = "Opening the lesson again", 2
        message = "The lesson did not start. We are opening it again for you."
    else:
        title, delay = "This lesson is busy", 20
        message = (
            "The lesson could not start just now. We will try again in a moment. "
            "If this keeps happening, tell your trainer."
        )
    url = escape(path + "?" + urlencode({"try": tries + 1}), quote=True)
    return plain_page(
        title,
        f'<h1>{escape(title)}</h1><p role="status">{escape(message)}</p>'
        f'<p><a href="{url}">Open the lesson now</a> · '
        '<a href="/">Go to the academy home page</a></p>',
        home="/",
        head=f'<meta http-equiv="refresh" content="{delay};url={url}">',
    )


class LessonHandler(TornadoVoilaHandler):
    """A lesson at its stable URL, /lessons/<course>/<lesson>/.

    Under `academy serve` (a page cache in the settings) the learner must be signed in,
    and the page is the lesson's cached page filled with a warm kernel's output
    (`academy.serve.pages`); elsewhere (a Jupyter server on the hub) Voilà renders it."""

    async def get(self, course: str, lesson: str) -> None:
        if not self.request.path.endswith("/"):
            self.redirect(self.request.path + "/", permanent=False)
            return
        path = f"{course}/{lesson}.ipynb"
        if not (Path(self.settings["academy_lessons_dir"]) / path).is_file():
            self.set_status(404)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(NOT_FOUND)
            return
        for name, value in SECURITY_HEADERS.items():
            self.set_header(name, value)
        pages = self.settings.get("academy_pages")
        if pages is None:
            # the lessons' folder as the contents manager sees it ("" here, "lessons/" on a hub)
            await super().get(self.settings.get("academy_lessons_prefix", "") + path)
            return
        await self._fast(pages, course, path)

    async def _fast(self, pages: Any, course: str, path: str) -> None:
        from academy.serve.identity import LEARNER_ENV
        from academy.serve.pages import run_lesson
        from academy.serve.sign_in import learner_of, sign_in_url

        who = learner_of(self)
        if who is None:
            self.redirect(sign_in_url(self.request.path))
            return
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-cache, no-store, must-revalidate")
        tries = (
            int(self.get_argument("try", "0") or 0)
            if self.get_argument("try", "0").isdigit()
            else 0
        )
        km = self.kernel_manager
        kernel_id = None
        try:
            template = await pages.get(path)
            env = {
                **os.environ,
                LEARNER_ENV: who.to_json(),
                "SCRIPT_NAME": self.request.path,
                "QUERY_STRING": str(self.request.query),
                "VOILA_REQUEST_URL": self.request.full_url(),
                "VOILA_BASE_URL": self.base_url,
                "VOILA_PREHEAT": "False",
            }
            kernel_id = await km.start_kernel(kernel_name="python3", path=course, env=env)
            outputs = await run_lesson(km.get_kernel(kernel_id), template.code)
        except Exception:
            self.log.exception("lesson %s did not start (try %d)", path, tries + 1)
            if kernel_id is not None:
                with contextlib.suppress(Exception):
                    await km.shutdown_kernel(kernel_id, now=True)
            self.finish(retry_page(self.request.path, tries))
            return
        self.finish(template.fill(kernel_id, outputs))


class AcademyVoila(Voila):
    """Voilà serving the built lessons and the built site together."""

    site_dir = Unicode("", config=True, help="The built site served at /.")
    cookie_file = Unicode("", config=True, help="Where the sign-in cookie's secret is kept.")
    roster: List[list[str]] = List(
        [], config=True, help="The cohort's learners: [[id, name], ...]."
    )
    cohort_track = TraitAny(None, help="The cohort's CohortTrack (My progress).")
    certificate_needs = TraitAny(
        None, help="roster id -> what is left for the certificate (My progress)."
    )

    def init_settings(self) -> dict:
        from academy.serve.identity import RosterEntry
        from academy.serve.pages import PageCache

        settings = super().init_settings()
        settings["academy_lessons_dir"] = self.root_dir
        settings["academy_pages"] = PageCache(Path(self.root_dir), self._renderer)
        settings["academy_roster"] = tuple(RosterEntry(str(i), str(n)) for i, n in self.roster)
        settings["academy_cohort_track"] = self.cohort_track
        settings["academy_certificate_needs"] = self.certificate_needs
        if self.cookie_file:
            settings["cookie_secret"] = _cookie_secret(Path(self.cookie_file))
        return settings

    def _renderer(self, path: str) -> Any:
        """Voilà's page renderer for one lesson notebook (as its kernel pools make it)."""
        from voila.notebook_renderer import NotebookRenderer
        from voila.utils import get_page_config

        settings = self.app.settings
        page_config = get_page_config(
            base_url=self.base_url,
            settings=settings,
            log=self.log,
            voila_configuration=self.voila_configuration,
        )
        return NotebookRenderer(
            voila_configuration=self.voila_configuration,
            traitlet_config=self.config,
            notebook_path=path,
            template_paths=self.template_paths,
            config_manager=self.config_manager,
            contents_manager=self.contents_manager,
            base_url=self.base_url,
            kernel_spec_manager=self.kernel_spec_manager,
            page_config=page_config,
            mathjax_config=None,
            mathjax_url=None,
        )

    def init_handlers(self) -> list:
        from academy.serve.my_progress import MyProgressHandler
        from academy.serve.sign_in import sign_in_handlers

        dropped = (TornadoVoilaTreeHandler, VoilaContentsHandler)
        handlers = []
        render_kwargs: dict[str, Any] = {}
        for handler in super().init_handlers():
            pattern, cls = handler[0], handler[1]
            if cls is TornadoVoilaHandler:
                render_kwargs = handler[2]
                continue
            if cls in dropped or pattern.endswith("/voila/files/(.*)"):
                continue
            handlers.append(handler)
        lessons = [
            (rf"/lessons/(?P<course>{NAME})/(?P<lesson>{NAME})/?", LessonHandler, render_kwargs),
            *sign_in_handlers(),
            (r"/my-progress/?", MyProgressHandler),
        ]
        site = [(r"/(.*)", QuietStatic, {"path": self.site_dir, "default_filename": "index.html"})]
        return lessons + handlers + site


def _cookie_secret(file: Path) -> bytes:
    """The secret that signs sign-in cookies, kept so learners stay signed in across restarts."""
    try:
        secret = file.read_bytes()
        if len(secret) >= 32:
            return secret
    except OSError:
        pass
    secret = os.urandom(48).hex().encode()
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(secret)
    with contextlib.suppress(OSError):
        file.chmod(0o600)
    return secret


def voila_config(site: Path, options: ServerOptions) -> Config:
    """The traitlets config of the lesson server (pure)."""
    c = Config()
    c.Voila.ip = options.host
    c.Voila.port = options.port
    c.Voila.port_retries = 0
    c.Voila.open_browser = False
    c.Voila.log_level = options.log_level
    c.AcademyVoila.site_dir = str(site)
    c.AcademyVoila.roster = [list(entry) for entry in options.roster]
    c.AcademyVoila.cookie_file = str(options.cookie_file) if options.cookie_file else ""
    c.VoilaConfiguration.template = TEMPLATE
    c.VoilaConfiguration.theme = "light"
    c.VoilaConfiguration.show_tracebacks = False
    c.VoilaConfiguration.strip_sources = True
    c.VoilaConfiguration.file_allowlist = []
    c.VoilaConfiguration.allow_template_override = "NO"
    c.VoilaConfiguration.allow_theme_override = "NO"
    c.VoilaConfiguration.extension_denylist = DENIED_EXTENSIONS
    c.VoilaConfiguration.preheat_kernel = False  # our own warm kernels, for every lesson
    c.VoilaConfiguration.multi_kernel_manager_class = "academy.serve.kernels.WarmKernelManager"
    c.WarmKernelManager.class_size = options.class_size
    c.WarmKernelManager.max_kernels = options.budget.max_kernels
    c.WarmKernelManager.connect_grace = float(options.connect_grace_seconds)
    c.MappingKernelManager.cull_idle_timeout = options.cull_idle_seconds
    c.MappingKernelManager.cull_interval = options.cull_interval_seconds
    c.MappingKernelManager.cull_connected = False
    c.KernelManager.transport = "ipc"  # a socket file per kernel: no TCP port races
    return c


def use_academy_template() -> None:
    """Put the academy's Voilà template on JUPYTER_PATH (Voilà looks templates up there)."""
    current = os.environ.get("JUPYTER_PATH", "")
    parts = [p for p in current.split(os.pathsep) if p]
    if str(JUPYTER_DIR) not in parts:
        os.environ["JUPYTER_PATH"] = os.pathsep.join([str(JUPYTER_DIR), *parts])


def lesson_server(lessons: Path, site: Path, options: ServerOptions) -> AcademyVoila:
    """An initialized server; call `.start()` to serve until interrupted."""
    if not (site / "index.html").is_file():
        raise AcademyError(f"{site}: no built site here; run `academy build` first")
    if not lessons.is_dir() or not any(lessons.glob("*/*.ipynb")):
        raise AcademyError(f"{lessons}: no built click-through lessons; run `academy build` first")
    use_academy_template()
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    if options.cookie_file is None:
        from academy.core.paths import user_data_dir

        options = replace(options, cookie_file=user_data_dir() / "sign-in.secret")
    app = AcademyVoila(config=voila_config(site, options))
    app.cohort_track = options.cohort_track  # objects, not config values: set directly
    app.certificate_needs = options.certificate_needs
    app.initialize([str(lessons)])
    return app


def main(argv: list[str] | None = None) -> None:
    """`python -m academy.serve.voila --lessons DIR --site DIR [--port N] [--class-size N]`:
    the lesson server on its own (tests and benchmarks use it; people use `academy serve`)."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--lessons", type=Path, required=True)
    parser.add_argument("--site", type=Path, required=True)
    parser.add_argument("--port", type=int, default=defaults.SERVE_PORT)
    parser.add_argument("--class-size", type=int, default=DEFAULT_CLASS_SIZE)
    parser.add_argument("--memory-budget-mb", type=int, default=0)
    parser.add_argument("--cull-idle", type=int, default=defaults.CULL_IDLE_SECONDS)
    parser.add_argument("--cull-interval", type=int, default=defaults.CULL_INTERVAL_SECONDS)
    parser.add_argument("--connect-grace", type=int, default=defaults.CONNECT_GRACE_SECONDS)
    args = parser.parse_args(argv)
    options = ServerOptions(
        port=args.port,
        class_size=args.class_size,
        memory_budget_mb=args.memory_budget_mb,
        cull_idle_seconds=args.cull_idle,
        cull_interval_seconds=args.cull_interval,
        connect_grace_seconds=args.connect_grace,
    )
    lesson_server(args.lessons, args.site, options).start()


if __name__ == "__main__":
    main()
