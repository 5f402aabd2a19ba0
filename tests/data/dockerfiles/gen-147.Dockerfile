FROM nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update
RUN apt-get install -y --no-install-recommends ffmpeg curl
RUN pip3 install numpy==1.26.4
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install --no-cache-dir -r /tmp/requirements.txt
RUN pip install --user wandb==0.17.0 datasets==2.19.0 torch==2.3.0 einops==0.8.0
WORKDIR app
ARG PYTHON_VERSION=3.11
