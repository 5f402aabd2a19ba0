FROM centos:7 AS builder
RUN apt-get update \
    && apt-get install -y --no-install-recommends vim git libopenmpi-dev libgl1 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM ubuntu:22.04
COPY --from=0 /src/out /opt/out
ENV DEBIAN_FRONTEND=noninteractive
RUN dnf install -y make && dnf clean all
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install -r /tmp/requirements.txt
WORKDIR /opt/app
CMD python train.py --config configs/base.yaml
