# syntax=docker/dockerfile:1
FROM mambaorg/micromamba:1.5.8
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update \
    && apt-get install build-essential wget python3-pip
RUN python -m pip install torchvision==0.18.0 wandb pandas==2.2.1 lightning==2.2.4
RUN pip install --no-cache-dir --user pandas==2.2.1
RUN conda install -y -c conda-forge pytorch numpy
WORKDIR /workspace
USER 1000
EXPOSE 6006
ENV WANDB_DIR=/tmp/wandb
ARG PYTHON_VERSION=3.11
