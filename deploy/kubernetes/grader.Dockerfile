# syntax=docker/dockerfile:1
# The grading worker image: a Dask worker that runs each submission in its own
# bubblewrap sandbox. The same Python environment, academy and data mirror at the same
# paths as the learner image, because a trainer grades from their hub server (learner
# image) and each job names those paths.
#
#   docker buildx build -f deploy/kubernetes/grader.Dockerfile \
#     --build-context data=/srv/academy-data -t registry.city.internal/academy/grader:0.1.0 .
#
# bubblewrap needs user namespaces in the pod: see site/run-on-kubernetes.md. Without
# them the worker refuses every job in one line and nothing is graded unsandboxed.
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
      bubblewrap fonts-dejavu-core tini \
 && rm -rf /var/lib/apt/lists/*

COPY pyproject.toml README.md /srv/academy/
COPY src /srv/academy/src
RUN python -m venv /opt/academy/venv \
 && pip install --upgrade pip \
 && pip install -e /srv/academy

COPY curriculum /srv/academy/curriculum
COPY datasets /srv/academy/datasets
COPY --from=data . /srv/academy-data
# The city's canonical tables, parsed once: every sandbox reads this cache read-only.
RUN python -c "from academy.data import canonical_tables, table; [table(t) for t in sorted(canonical_tables())]"

RUN useradd --create-home --uid 1000 --shell /bin/bash grader
USER 1000
WORKDIR /home/grader
ENTRYPOINT ["tini", "--"]
CMD ["dask", "worker", "tcp://academy-grading-scheduler:8786", "--nthreads", "1", "--no-dashboard"]
