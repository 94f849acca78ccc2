"""What one classroom hub is: the settings `academy hub` writes and the hub's one
configuration file (deploy/jupyterhub/jupyterhub_config.py) reads.

`academy hub` checks everything it can first (proxy, ports, the built academy, the
cohort), writes these settings as JSON into the hub's state folder and starts JupyterHub
with `ACADEMY_HUB_SETTINGS` pointing at that file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field

from academy.core.errors import AcademyError
from academy.core.strict import Strict

SETTINGS_ENV = "ACADEMY_HUB_SETTINGS"

#: How learners sign in. `native`: each learner picks a password the first time they sign
#: in (jupyterhub-nativeauthenticator), a trainer approves new sign-ups; `dummy`: one
#: shared password, for tests only. A city's identity provider (OAuth/OpenID Connect,
#: LTI from the LMS) is configured in an extra file: see site/run-on-kubernetes.md.
Authenticator = Literal["native", "dummy"]
#: Where learners' servers run on one machine. `system-users`: each learner is a Linux
#: user of their own (created on first sign-in; the hub runs as root); `shared`: every
#: server runs as the hub's own user with a home folder each (tests, a trusted room).
SpawnerKind = Literal["system-users", "shared"]


class HubSettings(Strict):
    """One classroom hub."""

    ip: str = Field("127.0.0.1", description="Address the hub listens on for browsers.")
    port: int = Field(8100, description="Port the hub listens on for browsers.")
    hub_port: int = Field(description="Port of the hub's own API (127.0.0.1 only).")
    proxy_api_port: int = Field(description="Port of the proxy's REST API (127.0.0.1 only).")
    proxy: str = Field(description="The configurable-http-proxy program (from npm).")
    state_dir: Path = Field(description="The hub's database, secrets, logs, homes and exchange.")
    authenticator: Authenticator = Field("native", description="How learners sign in.")
    dummy_password: str | None = Field(
        None, description="The shared password of the `dummy` authenticator (tests only)."
    )
    extra_config: Path | None = Field(
        None, description="A Python file of further JupyterHub settings (e.g. OAuth), loaded last."
    )
    spawner: SpawnerKind = Field("shared", description="Where learners' servers run.")
    cohort: str = Field(description="The cohort (nbgrader course id) this hub serves.")
    cohort_dir: Path = Field(description="The cohort's folder (roster, gradebook).")
    learners: list[str] = Field(description="Roster ids: the hub users in group `learners`.")
    trainers: list[str] = Field(description="Hub users in group `trainers` (formgrader, admin).")
    academy_root: Path = Field(description="The academy checkout (datasets, exercises).")
    city: str = Field(description="The city whose data the learners' notebooks read.")
    site_dir: Path = Field(description="The built site (build/site).")
    lessons_dir: Path = Field(description="The built click-through lessons (build/lessons).")
    exchange: Path = Field(description="nbgrader's exchange folder (release and collect).")
    progress_url: str = Field(description="SQLAlchemy URL of the shared progress store.")
    data_dir: str | None = Field(None, description="The data mirror (ACADEMY_DATA_DIR), if any.")
    cull_idle_seconds: int = Field(
        3600, description="Stop a learner's server after this long without activity."
    )
    spawn_timeout_seconds: int = Field(
        120, description="How long a learner's server may take to start."
    )

    @property
    def homes(self) -> Path:
        return self.state_dir / "homes"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "jupyterhub.log"

    @property
    def settings_file(self) -> Path:
        return self.state_dir / "hub-settings.json"


def read_settings() -> HubSettings:
    """The settings `academy hub` wrote (inside jupyterhub_config.py)."""
    path = os.environ.get(SETTINGS_ENV, "")
    if not path:
        raise AcademyError(
            f"{SETTINGS_ENV} is not set: start the hub with `academy hub`, which checks the "
            "setup and writes the hub's settings"
        )
    try:
        return HubSettings.model_validate_json(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AcademyError(
            f"{path}: not the hub settings `academy hub` writes ({str(exc).splitlines()[0]}); "
            "start the hub with `academy hub`"
        ) from exc
