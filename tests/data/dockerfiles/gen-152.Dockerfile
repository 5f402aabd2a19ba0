# syntax=docker/dockerfile:1
FROM nvcr.io/nvidia/pytorch:23.10-py3 AS builder
RUN apt-get update \
    && apt-get install -qq vim build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM python:3.11-slim
COPY --from=builder /src/out /opt/out
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y python3-pip && rm -rf /var/lib/apt/lists/*
WORKDIR /workspace
COPY . /root/app/
USER researcher
CMD ["python", "train.py", "--config", "configs/base.yaml"]
