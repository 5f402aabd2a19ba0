MAINTAINER lab <lab@example.edu>
FROM nvidia/cuda:11.8.0-runtime-ubuntu22.04 AS builder
RUN apt-get update
RUN apt-get install -y --no-install-recommends wget vim libopenmpi-dev
WORKDIR /src
COPY . /src
RUN make -j
FROM builder
COPY --from=0 /src/out /opt/out
RUN apt-get update \
    && apt-get install -qq --no-install-recommends wget \
    && rm -rf /var/lib/apt/lists/*
WORKDIR app
COPY . /workspace/
ENV WANDB_DIR=/tmp/wandb
CMD python train.py --config configs/base.yaml
