FROM pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime AS builder
RUN apt-get update && apt-get install -qq openssh-client htop
WORKDIR /src
COPY . /src
RUN make -j
FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04
COPY --from=builder /src/out /opt/out
RUN apt-get update \
    && apt-get install -y libopenmpi-dev cmake build-essential libgl1
WORKDIR /root/project
COPY . /workspace/
