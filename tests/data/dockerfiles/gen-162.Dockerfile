FROM nvcr.io/nvidia/pytorch:23.10-py3
RUN apt-get update \
    && apt-get install -y cmake vim htop libopenmpi-dev \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/requirements.txt
RUN python -m pip install -r /tmp/requirements.txt
RUN pip3 install --no-cache-dir numpy==1.26.4 wandb==0.17.0 lightning==2.2.4
WORKDIR app
COPY . /root/app/
USER nobody
ENV WANDB_DIR=/tmp/wandb
