"""Defaults the academy offers in more than one place, each written once.

Command-line options, models and functions that offer one of these as a default import
it from here, so changing a default is one edit.
"""

from __future__ import annotations

from typing import Final

#: Percent of an exercise's points that counts as passed, unless a cohort sets its own.
PASS_MARK: Final[float] = 70.0

#: Where `academy serve` listens: this machine only, unless told otherwise on purpose.
SERVE_HOST: Final[str] = "127.0.0.1"
#: The port `academy serve` listens on.
SERVE_PORT: Final[int] = 8000
#: Seconds a learner's lesson kernel may sit idle before the server stops it.
CULL_IDLE_SECONDS: Final[int] = 600
#: Seconds between the lesson server's checks for idle kernels.
CULL_INTERVAL_SECONDS: Final[int] = 60
#: Seconds a warm kernel handed to a lesson page is kept for the page to connect to it.
CONNECT_GRACE_SECONDS: Final[int] = 180

#: What a learner sees where a table has no value (never "NaN" or "None").
BLANK: Final[str] = "(blank)"
