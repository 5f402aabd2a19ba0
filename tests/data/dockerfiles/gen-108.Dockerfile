# syntax=docker/dockerfile:1
FROM python@sha256:0123456789abcdef
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -y vim wget libgl1
RUN python -m pip install matplotlib
WORKDIR /workspace
