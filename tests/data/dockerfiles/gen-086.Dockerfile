FROM python:3.11-slim
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -y --no-install-recommends git curl libopenmpi-dev htop \
    && rm -rf /var/lib/apt/lists/*
RUN python3 -m pip install --no-cache-dir matplotlib einops numpy transformers
RUN pip install jax==0.4.28
WORKDIR /opt/app
EXPOSE 8888
ENV WANDB_DIR=/tmp/wandb
