ARG CUDA=11.8.0
FROM nvidia/cuda:${CUDA}-runtime-ubuntu22.04 AS builder
RUN apt-get update \
    && apt-get install -y --no-install-recommends vim python3-pip curl htop
WORKDIR /src
COPY . /src
RUN make -j
FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04
COPY --from=builder /src/out /opt/out
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update
RUN apt-get install -y build-essential
RUN python3 -m pip install --no-cache-dir torchvision==0.18.0
RUN python3 -m pip install --no-cache-dir --user wandb==0.17.0
WORKDIR /workspace
COPY . /workspace/
USER researcher
