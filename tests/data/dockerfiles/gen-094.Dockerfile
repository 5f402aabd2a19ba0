FROM nvcr.io/nvidia/tensorflow:24.03-tf2-py3 AS builder
RUN apt-get update \
    && apt-get install git openssh-client curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM ubuntu:22.04
COPY --from=builder /src/out /opt/out
WORKDIR /app
ARG WANDB_API_KEY
CMD python train.py --config configs/base.yaml
