# syntax=docker/dockerfile:1
FROM mambaorg/micromamba:1.5.8
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install build-essential vim ffmpeg python3-pip \
    && rm -rf /var/lib/apt/lists/*
RUN pip install torch lightning --index-url https://download.pytorch.org/whl/cu121
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install -r /tmp/requirements.txt
RUN conda install -y -c conda-forge mpi4py pytorch-cuda=12.1 && conda clean -afy
WORKDIR app
USER nobody
RUN wget -qO- https://example.org/setup.sh | bash
