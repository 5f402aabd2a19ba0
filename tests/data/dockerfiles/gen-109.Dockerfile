# syntax=docker/dockerfile:1
FROM alpine:3.19
ENV DEBIAN_FRONTEND=noninteractive
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apk add py3-pip git bash
RUN python3 -m pip install --no-cache-dir torch==2.3.0 pandas==2.2.1 accelerate==0.30.1 --index-url https://download.pytorch.org/whl/cu118
WORKDIR app
COPY . /workspace/
CMD python train.py --config configs/base.yaml
