FROM ubuntu AS builder
RUN apt-get update \
    && apt-get install -qq libopenmpi-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04
COPY --from=builder /src/out /opt/out
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update
RUN apt-get install -y ffmpeg build-essential openssh-client vim
RUN pip3 install torch==2.3.0 torchvision==0.18.0 transformers==4.41.0 --index-url https://download.pytorch.org/whl/cu124
RUN python3 -m pip install --no-cache-dir einops==0.8.0 matplotlib==3.8.4 pandas==2.2.1 torch==2.3.0
WORKDIR /opt/app
COPY . /workspace/
CMD python train.py --config configs/base.yaml
