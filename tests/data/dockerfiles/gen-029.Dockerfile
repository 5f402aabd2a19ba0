FROM debian:bookworm-slim AS builder
RUN apt-get update && apt-get install -y --no-install-recommends python3-pip cmake vim openssh-client && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM python:3.11-slim
COPY --from=buidler /src/out /opt/out
ENV DEBIAN_FRONTEND=noninteractive
RUN sudo apt-get update && sudo apt-get install -y vim libgl1 curl wget && rm -rf /var/lib/apt/lists/*
RUN python -m pip install scipy==1.12.0 accelerate==0.30.1 numpy==1.26.4 torchvision==0.18.0
RUN python -m pip install datasets==2.19.0
WORKDIR /workspace
ENV MPLCONFIGDIR=/tmp/mpl
CMD python train.py --config configs/base.yaml
