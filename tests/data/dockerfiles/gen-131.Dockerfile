FROM nvidia/cuda:11.8.0-runtime-ubuntu22.04
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg cmake htop libopenmpi-dev \
    && rm -rf /var/lib/apt/lists/*
RUN python3 -m pip install --no-cache-dir lightning==2.2.4 pandas wandb==0.17.0 transformers
WORKDIR /home/user/code
COPY . /opt/app/
VOLUME /data
RUN cd /opt && git clone https://github.com/example/repo.git
