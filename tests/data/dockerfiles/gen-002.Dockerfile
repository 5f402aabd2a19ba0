# syntax=docker/dockerfile:1
FROM condaforge/miniforge3 AS builder
RUN apt-get update \
    && apt-get install -y python3-pip curl vim git \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM python:3.11-slim
COPY --from=builder /src/out /opt/out
RUN pip install --no-cache-dir matplotlib==3.8.4 torch==2.3.0 --index-url https://download.pytorch.org/whl/cu118
RUN pip install --user accelerate
RUN python3 -m pip install torchvision==0.18.0
RUN conda install -y -c conda-forge pytorch h5py
WORKDIR /workspace
COPY . /workspace/
CMD ["python", "train.py", "--config", "configs/base.yaml"]
CMD ["bash"]
