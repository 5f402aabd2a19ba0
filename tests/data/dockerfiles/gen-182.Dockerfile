# syntax=docker/dockerfile:1
FROM python:3.12-alpine
RUN apk add --no-cache git
RUN python3 -m pip install --no-cache-dir numpy==1.26.4 accelerate==0.30.1 datasets
RUN pip3 install torchvision==0.18.0
RUN python3 -m pip install matplotlib==3.8.4 scipy==1.12.0 torchvision==0.18.0
WORKDIR /opt/app
COPY . /workspace/
CMD python train.py --config configs/base.yaml
