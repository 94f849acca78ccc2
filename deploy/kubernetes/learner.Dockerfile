# syntax=docker/dockerfile:1
# The learner image: a learner's (and a trainer's) server on Zero to JupyterHub, with the
# academy built for the city, its exercises, and the city's data mirror baked in.
#
#   docker buildx build -f deploy/kubernetes/learner.Dockerfile \
#     --build-context data=/srv/academy-data \
#     --build-arg CITY=baltimore -t registry.city.internal/academy/learner:0.1.0 .
#
# The data mirror (laid out <city>/<file>, see site/bring-your-own-city.md) is a named
# build context, never part of the repository. Paths here are the ones
# deploy/kubernetes/values.yaml and the grading worker image use: keep them equal.
FROM python:3.11-slim-bookworm

ARG CITY=baltimore
ENV ACADEMY_ROOT=/srv/academy \
    ACADEMY_DATA_DIR=/srv/academy-data \
    ACADEMY_CACHE_DIR=/srv/academy-cache \
    ACADEMY_NOTEBOOK_CITY=${CITY} \
    VIRTUAL_ENV=/opt/academy/venv \
    PATH=/opt/academy/venv/bin:/usr/local/bin:/usr/bin:/bin \
    PIP_NO_CACHE_DIR=1

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      make git npm fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 tini \
 && rm -rf /var/lib/apt/lists/*

COPY pyproject.toml README.md package.json package-lock.json Makefile /srv/academy/
COPY src /srv/academy/src
RUN python -m venv /opt/academy/venv \
 && pip install --upgrade pip \
 && pip install -e /srv/academy "jupyterhub==5.*" \
 && cd /srv/academy && npm ci --no-audit --no-fund

COPY curriculum /srv/academy/curriculum
COPY datasets /srv/academy/datasets
COPY tracks /srv/academy/tracks
COPY exercises /srv/academy/exercises
COPY site /srv/academy/site
COPY deploy/jupyterhub /srv/academy/deploy/jupyterhub
COPY --from=data . /srv/academy-data

# Build the academy for the city once, at image build time (learners never build).
RUN cd /srv/academy && academy build --city "${CITY}" \
 && python -c "from academy.data import canonical_tables, table; [table(t) for t in sorted(canonical_tables())]" \
 && rm -rf /root/.local/share/city-data-academy

ENV ACADEMY_SITE_DIR=/srv/academy/build/site \
    ACADEMY_LESSONS_DIR=/srv/academy/build/lessons \
    JUPYTER_CONFIG_DIR=/srv/academy/deploy/jupyterhub/learner \
    JUPYTER_PATH=/srv/academy/src/academy/serve/jupyter \
    JUPYTERLAB_SETTINGS_DIR=/home/jovyan/.jupyter/lab/user-settings \
    JUPYTERLAB_WORKSPACES_DIR=/home/jovyan/.jupyter/lab/workspaces \
    ACADEMY_HOME=/home/jovyan/.academy

RUN useradd --create-home --uid 1000 --shell /bin/bash jovyan
USER 1000
WORKDIR /home/jovyan
EXPOSE 8888
ENTRYPOINT ["tini", "--"]
CMD ["jupyterhub-singleuser"]
