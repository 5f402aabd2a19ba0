# syntax=docker/dockerfile:1
FROM nvcr.io/nvidia/tensorflow:24.03-tf2-py3 AS builder
RUN apt-get update && apt-get install -y libopenmpi-dev openssh-client curl wget
WORKDIR /src
COPY . /src
RUN make -j
FROM ubuntu:22.04
COPY --from=buidler /src/out /opt/out
RUN apt-get update \
    && apt-get install -y cmake openssh-client
RUN pip3 install --no-cache-dir accelerate==0.30.1 jax lightning scipy
RUN pip3 install jax==0.4.28 scipy==1.12.0
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt
