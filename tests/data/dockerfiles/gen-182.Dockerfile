FROM pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime AS builder
RUN apt-get update && apt-get install -y libopenmpi-dev htop git
WORKDIR /src
COPY . /src
RUN make -j
FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04
COPY --from=0 /src/out /opt/out
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update && apt-get install -y --no-install-recommends git wget build-essential libgl1 && rm -rf /var/lib/apt/lists/*
RUN python -m pip install --no-cache-dir einops==0.8.0 jax==0.4.28
RUN pip3 install einops==0.8.0 pandas==2.2.1 scikit-learn==1.4.2
RUN python -m pip install matplotlib==3.8.4 torchvision==0.18.0
COPY . /opt/app/
USER researcher
EXPOSE 8000/tcp
RUN cd /opt && git clone https://github.com/example/repo.git
CMD python train.py --config configs/base.yaml
