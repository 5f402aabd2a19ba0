FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04 AS builder
RUN sudo apt-get update && sudo apt-get install -y --no-install-recommends htop libopenmpi-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM builder
COPY --from=0 /src/out /opt/out
RUN apt-get update
RUN apt-get install -y wget python3-pip
RUN python -m pip install lightning wandb==0.17.0 torch
RUN python3 -m pip install --no-cache-dir datasets==2.19.0
RUN pip3 install torch==2.3.0 matplotlib==3.8.4 accelerate==0.30.1 scipy==1.12.0 --index-url https://download.pytorch.org/whl/cu124
USER 1000
ENV WANDB_DIR=/tmp/wandb
RUN cd /opt && git clone https://github.com/example/repo.git
