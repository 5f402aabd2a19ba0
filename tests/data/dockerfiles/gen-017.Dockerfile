FROM continuumio/miniconda3:23.10.0-1 AS builder
RUN apt-get update && apt-get install -qq ffmpeg libopenmpi-dev vim && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM python:3.11-slim
COPY --from=buidler /src/out /opt/out
ENV DEBIAN_FRONTEND=noninteractive
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN pip3 install accelerate==0.30.1
RUN pip install --no-cache-dir --user torchvision==0.18.0
RUN conda install -y -c conda-forge pytorch-cuda=12.1 mpi4py
WORKDIR /root/project
COPY . /workspace/
USER researcher
ARG GITHUB_TOKEN
CMD ["python", "train.py", "--config", "configs/base.yaml"]
ENTRYPOINT ["/opt/entrypoint.sh"]
