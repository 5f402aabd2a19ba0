# syntax=docker/dockerfile:1
FROM nvcr.io/nvidia/pytorch:23.10-py3 AS builder
RUN apt-get update \
    && apt-get install -y --no-install-recommends wget git build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM builder
COPY --from=buidler /src/out /opt/out
RUN apt-get update \
    && apt-get install -y --no-install-recommends htop openssh-client git vim \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir transformers==4.41.0 pandas==2.2.1 numpy==1.26.4
RUN python -m pip install --no-cache-dir --user matplotlib==3.8.4
RUN python -m pip install wandb==0.17.0
WORKDIR /opt/app
COPY . .
USER 1000
ENTRYPOINT ["/opt/entrypoint.sh"]
