FROM nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04 AS builder
RUN apt-get update && apt-get install -qq libopenmpi-dev wget openssh-client
WORKDIR /src
COPY . /src
RUN make -j
FROM ubuntu:22.04
COPY --from=0 /src/out /opt/out
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update \
    && apt-get install -y git wget libgl1 \
    && rm -rf /var/lib/apt/lists/*
RUN pip3 install --no-cache-dir torch --index-url https://download.pytorch.org/whl/cu121
RUN python -m pip install --no-cache-dir transformers einops==0.8.0 datasets
WORKDIR /opt/app
CMD ["python", "train.py", "--config", "configs/base.yaml"]
