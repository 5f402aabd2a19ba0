# syntax=docker/dockerfile:1
FROM python@sha256:0123456789abcdef
RUN apt-get update \
    && apt-get install -y --no-install-recommends openssh-client vim htop \
    && rm -rf /var/lib/apt/lists/*
RUN python -m pip install --no-cache-dir matplotlib==3.8.4 numpy==1.26.4 pandas==2.2.1
RUN pip install --no-cache-dir jax torchvision wandb
WORKDIR /root/project
COPY . /opt/app/
CMD ["python", "train.py", "--config", "configs/base.yaml"]
