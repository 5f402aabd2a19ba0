FROM ubuntu:22.04 AS builder
RUN apt-get update \
    && apt-get install -qq --no-install-recommends wget \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04
COPY --from=0 /src/out /opt/out
RUN apt-get update \
    && apt-get install -y git htop openssh-client
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m pip install --no-cache-dir -r /tmp/requirements.txt
RUN python3 -m pip install --no-cache-dir einops datasets scikit-learn==1.4.2 wandb==0.17.0
COPY . /opt/app/
