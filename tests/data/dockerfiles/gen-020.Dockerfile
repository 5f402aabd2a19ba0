FROM nvidia/cuda:11.8.0-runtime-ubuntu22.04
RUN apt update \
    && apt install build-essential ffmpeg curl cmake \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir einops==0.8.0
RUN python3 -m pip install accelerate==0.30.1 einops==0.8.0 jax==0.4.28 pandas==2.2.1
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt
WORKDIR /root/project
USER 1000
ENV WANDB_DIR=/tmp/wandb
CMD ["python", "train.py", "--config", "configs/base.yaml"]
