"""deploy/: the hub's configuration, the Zero to JupyterHub values, the two images and the
grading cluster parse, and every image, path, variable and scope they name exists.

Docker and Kubernetes do not run here, so these read the files the way the tools would:
each Dockerfile's COPY sources are in the repository and its paths are the ones the
values and the other image use; the Helm values use only keys of the Zero to JupyterHub
4.x chart (the values were also validated against the chart's values.schema.yaml, merged
with its defaults, when they were written) and every role scope is a JupyterHub scope.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
K8S = DEPLOY / "kubernetes"
HUB = DEPLOY / "jupyterhub"
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]

#: Keys of the Zero to JupyterHub 4.x chart's values.schema.yaml at the levels we use
#: (facts from the chart's schema, whose top level and these sections forbid other keys).
Z2JH_KEYS = {
    (): {
        "enabled", "fullnameOverride", "nameOverride", "imagePullSecret", "imagePullSecrets",
        "hub", "proxy", "singleuser", "scheduling", "ingress", "httpRoute", "prePuller",
        "custom", "cull", "debug", "rbac", "global",
    },
    ("hub",): {
        "revisionHistoryLimit", "config", "extraFiles", "baseUrl", "command", "args",
        "cookieSecret", "image", "networkPolicy", "db", "labels", "initContainers", "extraEnv",
        "extraConfig", "fsGid", "service", "pdb", "existingSecret", "nodeSelector",
        "tolerations", "activeServerLimit", "allowNamedServers", "annotations",
        "authenticatePrometheus", "concurrentSpawnLimit", "consecutiveFailureLimit",
        "podSecurityContext", "containerSecurityContext", "deploymentStrategy",
        "extraContainers", "extraVolumeMounts", "extraVolumes", "livenessProbe",
        "readinessProbe", "namedServerLimitPerUser", "redirectToServer", "resources",
        "lifecycle", "services", "loadRoles", "shutdownOnLogout", "templatePaths",
        "templateVars", "serviceAccount", "extraPodSpec",
    },
    ("hub", "db"): {"type", "pvc", "upgrade", "url", "password"},
    ("singleuser",): {
        "networkPolicy", "podNameTemplate", "cpu", "memory", "image", "initContainers",
        "profileList", "extraFiles", "extraEnv", "nodeSelector", "extraTolerations",
        "extraNodeAffinity", "extraPodAffinity", "extraPodAntiAffinity", "cloudMetadata",
        "cmd", "defaultUrl", "events", "extraAnnotations", "extraContainers", "extraLabels",
        "extraPodConfig", "extraResource", "fsGid", "lifecycleHooks", "networkTools",
        "serviceAccountName", "startTimeout", "storage", "allowPrivilegeEscalation", "uid",
    },
    ("singleuser", "image"): {"name", "tag", "pullPolicy", "pullSecrets"},
    ("singleuser", "memory"): {"limit", "guarantee"},
    ("singleuser", "cpu"): {"limit", "guarantee"},
    ("singleuser", "storage"): {
        "capacity", "dynamic", "extraLabels", "extraVolumeMounts", "extraVolumes",
        "homeMountPath", "static", "type",
    },
    ("singleuser", "networkPolicy"): {
        "enabled", "ingress", "egress", "egressAllowRules", "interNamespaceAccessLabels",
        "allowedIngressPorts",
    },
    ("singleuser", "networkPolicy", "egressAllowRules"): {
        "cloudMetadataServer", "dnsPortsCloudMetadataServer", "dnsPortsKubeSystemNamespace",
        "dnsPortsPrivateIPs", "nonPrivateIPs", "privateIPs",
    },
    ("cull",): {
        "enabled", "users", "adminUsers", "removeNamedServers", "timeout", "every",
        "concurrency", "maxAge",
    },
}  # fmt: skip


def values() -> dict:
    return yaml.safe_load((K8S / "values.yaml").read_text())


def dockerfile(name: str) -> list[tuple[str, str]]:
    """(instruction, arguments) of a Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (K8S / name).read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def env_of(name: str) -> dict[str, str]:
    env: dict[str, str] = {}
    for word, rest in dockerfile(name):
        if word == "ENV":
            for key, value in re.findall(r"(\w+)=(\S+)", rest):
                env[key] = value
    return env


def test_values_use_only_chart_keys() -> None:
    data = values()
    for path, allowed in Z2JH_KEYS.items():
        node = data
        for part in path:
            node = node.get(part, {})
        unknown = set(node) - allowed
        assert not unknown, f"{'.'.join(path) or 'top level'}: not Z2JH keys: {unknown}"


def test_values_name_the_images_the_dockerfiles_build() -> None:
    image = values()["singleuser"]["image"]
    assert image["name"].endswith("/academy/learner") and image["tag"] == VERSION
    grading = list(yaml.safe_load_all((K8S / "grading.yaml").read_text()))
    images = {
        c["image"]
        for doc in grading
        if doc["kind"] == "Deployment"
        for c in doc["spec"]["template"]["spec"]["containers"]
    }
    assert images == {image["name"].replace("/learner", "/grader") + f":{VERSION}"}
    assert (K8S / "learner.Dockerfile").is_file() and (K8S / "grader.Dockerfile").is_file()


@pytest.mark.parametrize("name", ["learner.Dockerfile", "grader.Dockerfile"])
def test_dockerfile_sources_exist_and_base_is_pinned(name) -> None:
    steps = dockerfile(name)
    froms = [rest for word, rest in steps if word == "FROM"]
    assert froms == ["python:3.11-slim-bookworm"]  # Debian 12 with Python 3.11, as CI
    for word, rest in steps:
        if word == "COPY":
            parts = rest.split()
            if parts[0].startswith("--from="):
                assert parts[0] == "--from=data"  # the data mirror: a named build context
                continue
            for source in parts[:-1]:
                assert (REPO / source).exists(), f"{name}: COPY {source}: not in the repository"


def test_images_agree_on_the_paths_a_grading_job_names() -> None:
    learner, grader = env_of("learner.Dockerfile"), env_of("grader.Dockerfile")
    for key in ("ACADEMY_ROOT", "ACADEMY_DATA_DIR", "ACADEMY_CACHE_DIR", "VIRTUAL_ENV"):
        assert learner[key] == grader[key], key
    root = learner["ACADEMY_ROOT"]
    for key in ("JUPYTER_CONFIG_DIR", "JUPYTER_PATH"):
        inside = Path(learner[key]).relative_to(root)
        assert (REPO / inside).is_dir(), f"{key}={learner[key]}: not in the repository"
    from academy.serve.voila import JUPYTER_DIR

    assert (REPO / Path(learner["JUPYTER_PATH"]).relative_to(root)) == JUPYTER_DIR
    built = {learner["ACADEMY_SITE_DIR"], learner["ACADEMY_LESSONS_DIR"]}
    assert built == {f"{root}/build/site", f"{root}/build/lessons"}
    from academy.hub.extension import LESSONS_ENV, SITE_ENV

    assert {SITE_ENV, LESSONS_ENV} <= set(learner)


def test_values_paths_and_variables_are_the_academys() -> None:
    data = values()
    single = data["singleuser"]
    env = single["extraEnv"]
    learner_config = (HUB / "learner" / "nbgrader_config.py").read_text()
    for name in ("ACADEMY_COHORT", "ACADEMY_EXCHANGE"):
        assert f'os.environ["{name}"]' in learner_config, name
    from academy.progress.store import PROGRESS_URL_ENV

    assert PROGRESS_URL_ENV in env
    mounts = {m["mountPath"] for m in single["storage"]["extraVolumeMounts"]}
    assert env["ACADEMY_EXCHANGE"] in mounts
    hook = data["hub"]["extraConfig"]["academy-trainers"]
    ast.parse(hook)
    root = env_of("learner.Dockerfile")["ACADEMY_ROOT"]
    for path in re.findall(r'"(/srv/[^"]+)"', hook):
        if path.startswith(root):
            assert (REPO / Path(path).relative_to(root)).is_dir(), path
        else:
            assert any(path.startswith(m) for m in mounts), path
    assert single["defaultUrl"] == "/academy/"  # where the hub extension serves the academy


def test_role_scopes_are_jupyterhub_scopes() -> None:
    from jupyterhub.scopes import scope_definitions

    roles = list(values()["hub"]["loadRoles"].values())
    for role in roles:
        for scope in role["scopes"]:
            assert scope.split("!", 1)[0] in scope_definitions, scope


def test_grading_cluster_gives_bubblewrap_user_namespaces() -> None:
    docs = {
        d["metadata"]["name"]: d for d in yaml.safe_load_all((K8S / "grading.yaml").read_text())
    }
    worker = docs["academy-grading-worker"]["spec"]["template"]["spec"]
    assert worker["hostUsers"] is False
    (container,) = worker["containers"]
    context = container["securityContext"]
    assert context["seccompProfile"]["type"] == "Unconfined"
    assert context["appArmorProfile"]["type"] == "Unconfined"
    assert context["procMount"] == "Unmasked"  # bwrap mounts its own /proc
    assert not context.get("capabilities", {}).get("add")
    assert not container["securityContext"].get("privileged")
    service = docs["academy-grading-scheduler"]
    assert service["kind"] in {"Service", "Deployment"}
    address = next(a for a in container["command"] if a.startswith("tcp://"))
    assert address == "tcp://academy-grading-scheduler:8786"
    grader_cmd = [rest for word, rest in dockerfile("grader.Dockerfile") if word == "CMD"]
    assert address in grader_cmd[0]
    assert "bubblewrap" in " ".join(
        rest for word, rest in dockerfile("grader.Dockerfile") if word == "RUN"
    )


def test_hub_config_compiles_and_names_real_files() -> None:
    source = (HUB / "jupyterhub_config.py").read_text()
    compile(source, "jupyterhub_config.py", "exec")
    for kind in ("learner", "trainer"):
        for name in (
            "jupyter_server_config.json",
            "labconfig/page_config.json",
            "nbgrader_config.py",
        ):
            assert (HUB / kind / name).is_file(), f"{kind}/{name}"


def test_learners_cannot_get_the_trainer_tools() -> None:
    import json

    learner = json.loads((HUB / "learner" / "labconfig" / "page_config.json").read_text())
    for plugin in ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment"):
        assert learner["disabledExtensions"][plugin] and learner["lockedExtensions"][plugin]
    server = json.loads((HUB / "learner" / "jupyter_server_config.json").read_text())
    extensions = server["ServerApp"]["jpserver_extensions"]
    assert extensions["nbgrader.server_extensions.formgrader"] is False
    assert extensions["academy.hub.extension"] is True
    for kind in ("learner", "trainer"):
        config = json.loads((HUB / kind / "jupyter_server_config.json").read_text())
        assert config["LabApp"]["news_url"] is None  # no news feed from the internet
        assert config["LabApp"]["check_for_updates_class"].endswith("NeverCheckForUpdate")
        pages = json.loads((HUB / kind / "labconfig" / "page_config.json").read_text())
        assert pages["disabledExtensions"]["@jupyterlab/apputils-extension:announcements"]
