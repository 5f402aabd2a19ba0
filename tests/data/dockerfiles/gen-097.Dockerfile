FROM continuumio/miniconda3:23.10.0-1 AS builder
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg openssh-client curl build-essential
WORKDIR /src
COPY . /src
RUN make -j
FROM ubuntu:22.04
COPY --from=buidler /src/out /opt/out
RUN apt-get update \
    && apt-get install -y --no-install-recommends openssh-client wget libgl1 \
    && rm -rf /var/lib/apt/lists/*
RUN python3 -m pip install jax lightning==2.2.4
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt
RUN conda install -y -c conda-forge pytorch-cuda=12.1 scipy && conda clean -afy
WORKDIR /home/user/code
COPY . /workspace/
