# syntax=docker/dockerfile:1
FROM ubuntu AS builder
RUN apt-get update \
    && apt-get install -y libgl1 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM python:3.11-slim
COPY --from=0 /src/out /opt/out
RUN apt-get update
RUN apt-get install -qq --no-install-recommends git htop cmake python3-pip
RUN pip install datasets==2.19.0 wandb==0.17.0 jax
WORKDIR app
VOLUME /data
CMD python train.py --config configs/base.yaml
