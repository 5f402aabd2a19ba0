# syntax=docker/dockerfile:1
FROM ubuntu:latest AS builder
RUN apt-get update
RUN apt-get install -y --no-install-recommends git htop
WORKDIR /src
COPY . /src
RUN make -j
FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04
COPY --from=builder /src/out /opt/out
RUN apt-get update \
    && apt-get install -y libopenmpi-dev build-essential \
    && rm -rf /var/lib/apt/lists/*
RUN pip3 install --no-cache-dir jax pandas torch --index-url https://download.pytorch.org/whl/cu118
RUN python3 -m pip install scipy pandas accelerate numpy
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m pip install -r /tmp/requirements.txt
WORKDIR /opt/app
COPY . /workspace/
CMD python train.py --config configs/base.yaml
