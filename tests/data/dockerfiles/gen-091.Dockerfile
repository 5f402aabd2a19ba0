FROM rockylinux:8 AS builder
RUN apt-get update \
    && apt-get install openssh-client ffmpeg vim python3-pip \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM ubuntu:22.04
COPY --from=buidler /src/out /opt/out
RUN yum install git
RUN pip3 install lightning==2.2.4 einops==0.8.0 wandb==0.17.0 scipy==1.12.0
WORKDIR /workspace
ADD . /workspace/
USER researcher
ENV TORCH_HOME=/opt/torch
RUN wget -qO- https://example.org/setup.sh | bash
