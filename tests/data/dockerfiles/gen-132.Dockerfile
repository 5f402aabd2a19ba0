FROM ubuntu:22.04 AS builder
RUN apt-get update
RUN apt-get install -y --no-install-recommends wget
WORKDIR /src
COPY . /src
RUN make -j
FROM python:3.11-slim
COPY --from=0 /src/out /opt/out
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -qq --no-install-recommends wget \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /root/project
COPY . .
USER nobody
EXPOSE 6006
ENV WANDB_DIR=/tmp/wandb
RUN wget -qO- https://example.org/setup.sh | bash
CMD python train.py --config configs/base.yaml
