# syntax=docker/dockerfile:1
FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04
RUN python3 -m pip install jax==0.4.28 accelerate==0.30.1 pandas==2.2.1 scipy==1.12.0
RUN python3 -m pip install --no-cache-dir lightning scipy
RUN pip3 install accelerate==0.30.1 datasets==2.19.0
WORKDIR /root/project
COPY . /workspace/
ENV WANDB_DIR=/tmp/wandb
CMD python train.py --config configs/base.yaml
