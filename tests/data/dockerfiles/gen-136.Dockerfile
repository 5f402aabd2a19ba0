FROM python:3.10
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update
RUN apt-get install --no-install-recommends vim ffmpeg python3-pip libopenmpi-dev
RUN python -m pip install wandb==0.17.0
COPY . .
CMD ["python", "train.py", "--config", "configs/base.yaml"]
