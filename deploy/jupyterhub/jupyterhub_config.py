"""The academy's JupyterHub for one cohort on one machine. Start it with `academy hub`.

`academy hub` checks the setup (the proxy from npm, free ports, the built academy, the
cohort), writes the hub's settings (academy.hub.settings.HubSettings) and starts
JupyterHub with this file. Everything below reads those settings; nothing is fetched
from the internet.

Who is who
  - group `learners`: the cohort's roster ids. Role `learner`: their own server only.
    Their server opens the academy (<server>/academy/): the portal, the books and the
    click-through lessons through Voilà, run as the hub user, so every answer lands in
    the progress store under the roster id. JupyterLab has nbgrader's Assignments tab
    (fetch and submit through the exchange); formgrader, the create-assignment tools
    and the course list are disabled and locked (deploy/jupyterhub/learner/).
  - group `trainers`: role `trainer`: see learners and start or stop their servers
    (no access to their files); formgrader on the cohort folder (deploy/jupyterhub/
    trainer/). Trainers are the hub's admins too: they approve sign-ups.

Signing in (`academy hub --auth`)
  - `native` (default, a classroom): each learner signs up once with their roster id
    and a password of their choice; a trainer approves it at /hub/authorize.
  - a city's identity provider: an extra file passed with `--extra-config`, loaded at the
    end of this one, that sets `c.JupyterHub.authenticator_class` to OAuthenticator's
    `generic-oauth` (OpenID Connect: Entra ID, Okta, Keycloak) or ltiauthenticator's
    `lti13` (a launch from the LMS); install that package beside the academy. Usernames
    must be the roster ids (`c.GenericOAuthenticator.username_claim`).
  - `dummy`: one shared password; for tests only.

Servers (`academy hub --spawner`)
  - `system-users`: each learner is a Linux user of their own (created at first spawn;
    the hub runs as root), so learners cannot read each other's work.
  - `shared`: every server runs as the hub's own user, a home folder each under the
    hub's state folder. Learners can read each other's files: tests and a trusted room.

Also here: JupyterLab's news and update checks off (learner/, trainer/), idle servers
stopped by jupyterhub-idle-culler, idle kernels culled by each server.
"""

import os
import pwd
import subprocess
import sys
from pathlib import Path

from academy.data.city import notebook_environment
from academy.hub.settings import read_settings
from academy.serve.voila import JUPYTER_DIR

c = get_config()  # noqa: F821
s = read_settings()
here = Path(__file__).resolve().parent

# -- where it listens; its own state -----------------------------------------------------
c.JupyterHub.bind_url = f"http://{s.ip}:{s.port}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{s.hub_port}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{s.proxy_api_port}"
c.ConfigurableHTTPProxy.command = [s.proxy]
c.ConfigurableHTTPProxy.pid_file = str(s.state_dir / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{s.state_dir / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(s.state_dir / "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every server and the proxy
c.JupyterHub.cleanup_proxy = True

# -- who may sign in, groups and roles ------------------------------------------------------
c.Authenticator.allow_all = False
c.Authenticator.allowed_users = set(s.learners) | set(s.trainers)
c.Authenticator.admin_users = set(s.trainers)
c.JupyterHub.load_groups = {
    "learners": {"users": sorted(s.learners)},
    "trainers": {"users": sorted(s.trainers)},
}
c.JupyterHub.load_roles = [
    {"name": "learner", "description": "A learner: their own server.", "scopes": ["self"],
     "groups": ["learners"]},
    {
        "name": "trainer",
        "description": "A trainer: sees learners and starts or stops their servers.",
        "scopes": ["self", "admin-ui", "list:users", "read:users", "admin:servers!group=learners",
                   "read:groups"],
        "groups": ["trainers"],
    },
    {
        "name": "idle-culler",
        "description": "Stops servers nobody has used for a while.",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    },
]  # fmt: skip
if s.authenticator == "native":
    c.JupyterHub.authenticator_class = "native"
    c.NativeAuthenticator.open_signup = False  # a trainer approves each sign-up
    c.NativeAuthenticator.check_common_password = True
    c.NativeAuthenticator.minimum_password_length = 10
elif s.authenticator == "dummy":
    c.JupyterHub.authenticator_class = "dummy"
    c.DummyAuthenticator.password = s.dummy_password

# -- idle servers ------------------------------------------------------------------------
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={s.cull_idle_seconds}",
            f"--cull-every={max(30, s.cull_idle_seconds // 10)}",
        ],
    }
]

# -- learners' servers ---------------------------------------------------------------------
root = os.geteuid() == 0
if s.spawner == "shared":
    c.JupyterHub.spawner_class = "simple"
    c.SimpleLocalProcessSpawner.home_dir_template = str(s.homes / "{username}")
    if root:
        c.Spawner.args = ["--allow-root"]  # the server refuses to run as root otherwise
else:
    c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(Path(sys.executable).parent / "jupyterhub-singleuser")]
c.Spawner.start_timeout = s.spawn_timeout_seconds
c.Spawner.http_timeout = s.spawn_timeout_seconds


def _system_user(name: str) -> None:
    """The learner's own Linux user, created on first spawn (the hub runs as root)."""
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True)


def _prepare(spawner) -> None:
    """Per user: learner or trainer configuration, the academy's folders, their home."""
    name = spawner.user.name
    groups = {group.name for group in spawner.user.groups}
    trainer = "trainers" in groups or name in s.trainers
    if s.spawner == "shared":
        home = s.homes / name
        home.mkdir(parents=True, exist_ok=True)
    else:
        _system_user(name)
        home = Path(pwd.getpwnam(name).pw_dir)
    env = {
        # the learner's (or trainer's) settings, not their own ~/.jupyter: see learner/
        "JUPYTER_CONFIG_DIR": str(here / ("trainer" if trainer else "learner")),
        "JUPYTERLAB_SETTINGS_DIR": str(home / ".jupyter" / "lab" / "user-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / ".jupyter" / "lab" / "workspaces"),
        "JUPYTER_PATH": str(JUPYTER_DIR),
        "ACADEMY_PROGRESS_URL": s.progress_url,
        "ACADEMY_SITE_DIR": str(s.site_dir),
        "ACADEMY_LESSONS_DIR": str(s.lessons_dir),
        **notebook_environment(s.academy_root, s.city),  # the city of every notebook
        "ACADEMY_HOME": str(home / ".academy"),
        "ACADEMY_COHORT": s.cohort,
        "ACADEMY_EXCHANGE": str(s.exchange),
    }
    if s.data_dir:
        env["ACADEMY_DATA_DIR"] = s.data_dir
    if trainer:
        env["ACADEMY_COHORT_DIR"] = str(s.cohort_dir)
    spawner.environment.update(env)
    spawner.notebook_dir = str(home)
    spawner.default_url = "/lab" if trainer else "/academy/"


c.Spawner.pre_spawn_hook = _prepare

if s.extra_config is not None:
    load_subconfig(str(s.extra_config))  # noqa: F821
