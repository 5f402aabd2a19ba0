FROM centos:7
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN dnf install -y git gcc
COPY requirements.txt /tmp/requirements.txt
RUN python -m pip install --no-cache-dir -r /tmp/requirements.txt
WORKDIR app
VOLUME /data
ARG WANDB_API_KEY
CMD python train.py --config configs/base.yaml
