"""The lesson server: Voilà with the academy's template, plus the built site, on one origin.

- `/` and everything under it: the built site (build/site), no directory listings;
- `/lessons/<course>/<lesson>/`: that lesson, run by Voilà from build/lessons;
- `/voila/...` and `/api/kernels/...`: what Voilà's page needs, nothing more
  (no notebook tree, no file or contents API, kernels accept widget messages only).

Safe defaults: 127.0.0.1, no source and no tracebacks shown, idle kernels culled,
preheated kernels so a lesson opens at once, Font Awesome served locally (the stock
template loads it from a CDN), the nbgrader and notebook lab extensions denied.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tornado.web
from traitlets import Unicode
from traitlets.config import Config
from voila.app import Voila
from voila.tornado.contentshandler import VoilaContentsHandler
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.treehandler import TornadoVoilaTreeHandler

from academy.core.errors import AcademyError

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

NOT_FOUND = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Page not found</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.6;color:#1b1b1b}
a{color:#0b4f9c}</style></head><body><main><h1>We could not find that page</h1>
<p>The address may be old or mistyped.</p><p><a href="/">Go to the academy home page</a></p></main></body></html>"""


@dataclass(frozen=True)
class ServerOptions:
    """How the lesson server runs; the defaults suit a class on one machine."""

    host: str = "127.0.0.1"
    port: int = 8000
    preheat: bool = True
    pool_size: int = 1
    pools: dict[str, int] = field(default_factory=dict)
    cull_idle_seconds: int = 600
    cull_interval_seconds: int = 60
    log_level: str = "WARN"


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


class LessonHandler(TornadoVoilaHandler):
    """A lesson at its stable URL, /lessons/<course>/<lesson>/."""

    async def get(self, course: str, lesson: str) -> None:  # type: ignore[override]
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
        await super().get(path)


class AcademyVoila(Voila):
    """Voilà serving the built lessons and the built site together."""

    site_dir = Unicode("", config=True, help="The built site served at /.")

    def init_settings(self) -> dict:
        settings = super().init_settings()
        settings["academy_lessons_dir"] = self.root_dir
        return settings

    def init_handlers(self) -> list:
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
            (r"/voila/vendor/(.*)", QuietStatic, {"path": str(Path(self.root_dir) / "_vendor")}),
        ]
        site = [(r"/(.*)", QuietStatic, {"path": self.site_dir, "default_filename": "index.html"})]
        return lessons + handlers + site


def voila_config(site: Path, options: ServerOptions) -> Config:
    """The traitlets config of the lesson server (pure)."""
    c = Config()
    c.Voila.ip = options.host
    c.Voila.port = options.port
    c.Voila.port_retries = 0
    c.Voila.open_browser = False
    c.Voila.log_level = options.log_level
    c.AcademyVoila.site_dir = str(site)
    c.VoilaConfiguration.template = TEMPLATE
    c.VoilaConfiguration.theme = "light"
    c.VoilaConfiguration.show_tracebacks = False
    c.VoilaConfiguration.strip_sources = True
    c.VoilaConfiguration.file_allowlist = []
    c.VoilaConfiguration.allow_template_override = "NO"
    c.VoilaConfiguration.allow_theme_override = "NO"
    c.VoilaConfiguration.extension_denylist = DENIED_EXTENSIONS
    c.VoilaConfiguration.preheat_kernel = options.preheat
    c.VoilaConfiguration.default_pool_size = options.pool_size if options.preheat else 0
    c.MappingKernelManager.cull_idle_timeout = options.cull_idle_seconds
    c.MappingKernelManager.cull_interval = options.cull_interval_seconds
    c.MappingKernelManager.cull_connected = False
    if options.preheat:
        pools: dict[str, Any] = {"default": {"pool_size": options.pool_size}}
        for lesson_id, size in options.pools.items():
            pools[f"{lesson_id}.ipynb"] = {"pool_size": size}
        c.VoilaKernelManager.kernel_pools_config = pools
        c.VoilaKernelManager.fill_delay = 0.5
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
    app = AcademyVoila(config=voila_config(site, options))
    app.initialize([str(lessons)])
    return app


def main(argv: list[str] | None = None) -> None:
    """`python -m academy.serve.voila --lessons DIR --site DIR [--port N] [--pool-size N] [--no-preheat]`:
    the lesson server on its own (tests and benchmarks use it; people use `academy serve`)."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--lessons", type=Path, required=True)
    parser.add_argument("--site", type=Path, required=True)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--pool-size", type=int, default=1)
    parser.add_argument("--pool", action="append", default=[], help="COURSE/LESSON=N")
    parser.add_argument("--no-preheat", action="store_true")
    parser.add_argument("--cull-idle", type=int, default=600)
    parser.add_argument("--cull-interval", type=int, default=60)
    args = parser.parse_args(argv)
    pools = {k: int(v) for k, _, v in (p.partition("=") for p in args.pool)}
    options = ServerOptions(
        port=args.port,
        preheat=not args.no_preheat,
        pool_size=args.pool_size,
        pools=pools,
        cull_idle_seconds=args.cull_idle,
        cull_interval_seconds=args.cull_interval,
    )
    lesson_server(args.lessons, args.site, options).start()


if __name__ == "__main__":
    main()
