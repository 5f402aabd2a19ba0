# syntax=docker/dockerfile:1
FROM pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime AS builder
RUN apt-get update \
    && apt-get install -y --no-install-recommends git libopenmpi-dev
WORKDIR /src
COPY . /src
RUN make -j
FROM python:3.11-slim
COPY --from=builder /src/out /opt/out
RUN apt-get update && apt-get install -y --no-install-recommends vim openssh-client
RUN python3 -m pip install --no-cache-dir wandb==0.17.0 matplotlib==3.8.4
WORKDIR /workspace
USER 1000
