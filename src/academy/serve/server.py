"""`academy serve`: the built site and the click-through lessons on localhost, with safe defaults."""

from __future__ import annotations

import functools
import os
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

from academy.core import defaults
from academy.core.errors import AcademyError

if TYPE_CHECKING:
    from academy.serve.voila import AcademyVoila, ServerOptions


class _QuietHandler(SimpleHTTPRequestHandler):
    """Static files only; no directory listings, no request log noise."""

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        self.send_error(404, "Not found")
        return None

    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


def site_server(
    site: Path, host: str = defaults.SERVE_HOST, port: int = defaults.SERVE_PORT
) -> ThreadingHTTPServer:
    """An HTTP server for `site`; the caller runs `serve_forever()` and `server_close()`."""
    if not (site / "index.html").is_file():
        raise AcademyError(f"{site}: no built site here; run `academy build` first")
    handler = functools.partial(_QuietHandler, directory=str(site))
    try:
        return ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        raise AcademyError(
            f"{host}:{port}: cannot listen ({exc.strerror}); choose another --port"
        ) from exc


def lessons_built(build: Path) -> bool:
    """True when `academy build` has generated click-through lessons to serve."""
    return any((build / "lessons").glob("*/*.ipynb"))


def academy_server(build: Path, options: ServerOptions | None = None) -> AcademyVoila:
    """The site at / and every click-through lesson at /lessons/<course>/<lesson>/, one origin.

    Call `.start()` to serve until interrupted (Voilà runs the lessons in their own kernels).
    """
    from academy.serve.voila import ServerOptions, lesson_server

    return lesson_server(build / "lessons", build / "site", options or ServerOptions())
