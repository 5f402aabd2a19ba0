# syntax=docker/dockerfile:1
MAINTAINER lab <lab@example.edu>
FROM nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04
RUN apt-get update && apt-get install --no-install-recommends git && rm -rf /var/lib/apt/lists/*
COPY . /workspace/
CMD python train.py --config configs/base.yaml
