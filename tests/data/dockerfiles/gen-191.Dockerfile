# syntax=docker/dockerfile:1
FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt
RUN pip3 install --no-cache-dir matplotlib==3.8.4 einops==0.8.0 jax==0.4.28 pandas==2.2.1
RUN python3 -m pip install --no-cache-dir accelerate==0.30.1 numpy==1.26.4 matplotlib==3.8.4 scipy==1.12.0
WORKDIR /workspace
COPY . /workspace/
ENV MPLCONFIGDIR=/tmp/mpl
CMD python train.py --config configs/base.yaml
