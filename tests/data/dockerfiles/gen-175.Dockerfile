ARG CUDA=12.4.1
FROM nvidia/cuda:${CUDA}-cudnn-devel-ubuntu22.04 AS builder
RUN apt-get update \
    && apt-get install -qq python3-pip curl libgl1 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04
COPY --from=0 /src/out /opt/out
RUN apt-get update \
    && apt-get install --no-install-recommends vim ffmpeg
RUN python3 -m pip install --no-cache-dir pandas==2.2.1
RUN pip install --user scipy==1.12.0 wandb==0.17.0 torch==2.3.0 --index-url https://download.pytorch.org/whl/cu124
WORKDIR /root/project
CMD ["python", "train.py", "--config", "configs/base.yaml"]
