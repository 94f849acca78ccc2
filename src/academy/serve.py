"""`academy serve`: the built site on localhost, with safe defaults."""

from __future__ import annotations

import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from academy.errors import AcademyError


class _QuietHandler(SimpleHTTPRequestHandler):
    """Static files only; no directory listings, no request log noise."""

    def list_directory(self, path):  # type: ignore[override]
        self.send_error(404, "Not found")
        return None

    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


def site_server(site: Path, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
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
