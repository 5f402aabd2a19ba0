# syntax=docker/dockerfile:1
FROM nvcr.io/nvidia/pytorch:23.10-py3
RUN apt-get update \
    && apt-get install -qq git openssh-client curl htop \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /home/user/code
COPY . .
EXPOSE 22
CMD ["python", "train.py", "--config", "configs/base.yaml"]
