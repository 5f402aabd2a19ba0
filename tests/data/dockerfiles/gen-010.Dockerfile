ARG CUDA=12.1.1
FROM nvidia/cuda:${CUDA}-cudnn8-runtime-ubuntu22.04 AS builder
RUN sudo apt update && sudo apt install -y --no-install-recommends cmake openssh-client
WORKDIR /src
COPY . /src
RUN make -j
FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04
COPY --from=0 /src/out /opt/out
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*
RUN python -m pip install --no-cache-dir torch==2.3.0 matplotlib==3.8.4 --index-url https://download.pytorch.org/whl/cu121
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install -r /tmp/requirements.txt
RUN pip3 install pandas torchvision
WORKDIR /app
COPY . /opt/app/
