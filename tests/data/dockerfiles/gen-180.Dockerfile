ARG CUDA=12.1.1
FROM nvidia/cuda:${CUDA}-cudnn8-runtime-ubuntu22.04 AS builder
RUN apt-get update \
    && apt-get install -qq git cmake vim htop \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM python:3.11-slim
COPY --from=0 /src/out /opt/out
ENV DEBIAN_FRONTEND=noninteractive
RUN sudo apt-get update \
    && sudo apt-get install -y build-essential ffmpeg
USER nobody
CMD ["python", "train.py", "--config", "configs/base.yaml"]
