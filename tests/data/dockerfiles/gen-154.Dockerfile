FROM python:3.11-slim
ENV DEBIAN_FRONTEND=noninteractive
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update && apt-get install -qq git && rm -rf /var/lib/apt/lists/*
RUN python3 -m pip install --no-cache-dir scipy==1.12.0
RUN pip install --user wandb==0.17.0 datasets==2.19.0 torch==2.3.0 einops==0.8.0
WORKDIR app
ARG PYTHON_VERSION=3.11
