# syntax=docker/dockerfile:1
FROM python:3.12-slim AS base
RUN --mount=type=cache,target=/var/cache/apt --mount=type=cache,target=/var/lib/apt \
    apt-get update && apt-get install -y --no-install-recommends git
RUN --mount=type=cache,target=/root/.cache/pip pip install torch==2.4.0 lightning==2.3.0
FROM base AS final
COPY . /opt/app
WORKDIR /opt/app
