# syntax=docker/dockerfile:1
ARG CUDA=11.8.0
FROM nvidia/cuda:${CUDA}-runtime-ubuntu22.04 AS builder
RUN apt update && apt install -y --no-install-recommends build-essential libopenmpi-dev
WORKDIR /src
COPY . /src
RUN make -j
FROM python:3.11-slim
COPY --from=builder /src/out /opt/out
RUN apt-get update \
    && apt-get install -y cmake openssh-client git python3-pip \
    && rm -rf /var/lib/apt/lists/*
WORKDIR app
ENV TORCH_HOME=/opt/torch
CMD ["python", "train.py", "--config", "configs/base.yaml"]
