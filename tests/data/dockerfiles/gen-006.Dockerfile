# syntax=docker/dockerfile:1
FROM fedora:40
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN dnf install -y gcc make && dnf clean all
RUN python3 -m pip install numpy==1.26.4 accelerate==0.30.1
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m pip install -r /tmp/requirements.txt
WORKDIR /workspace
ARG PYTHON_VERSION=3.11
