# syntax=docker/dockerfile:1
FROM nvcr.io/nvidia/pytorch:23.10-py3 AS builder
RUN apt-get update \
    && apt-get install --no-install-recommends htop \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM ubuntu:22.04
COPY --from=builder /src/out /opt/out
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update && apt-get install -y cmake
WORKDIR /opt/app
