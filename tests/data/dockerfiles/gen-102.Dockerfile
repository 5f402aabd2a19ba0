# syntax=docker/dockerfile:1
FROM pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime AS builder
RUN apt-get update \
    && apt-get install -qq git \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM builder
COPY --from=builder /src/out /opt/out
RUN apt-get update && apt-get install -y --no-install-recommends python3-pip wget libgl1
RUN pip3 install datasets==2.19.0 torchvision==0.18.0 matplotlib==3.8.4 jax==0.4.28
COPY requirements.txt /tmp/requirements.txt
RUN python -m pip install -r /tmp/requirements.txt
RUN pip install datasets pandas
WORKDIR /home/user/code
ADD . /workspace/
USER researcher
CMD python train.py --config configs/base.yaml
