# syntax=docker/dockerfile:1
FROM nvidia/cuda
RUN apt-get update \
    && apt-get install -y --no-install-recommends git vim build-essential cmake \
    && rm -rf /var/lib/apt/lists/*
RUN pip install torchvision==0.18.0 scikit-learn
RUN conda install -y -c conda-forge mpi4py cudatoolkit=11.8 && conda clean -afy
WORKDIR /app
