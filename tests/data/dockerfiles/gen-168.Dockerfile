FROM python:3.10 AS builder
RUN apt-get update && apt-get install -y wget && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04
COPY --from=0 /src/out /opt/out
RUN pip install jax==0.4.28
WORKDIR /home/user/code
COPY . /workspace/
USER 1000
