# syntax=docker/dockerfile:1
FROM pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime
ENV DEBIAN_FRONTEND=noninteractive
WORKDIR /opt/app
COPY . .
USER researcher
CMD python train.py --config configs/base.yaml
