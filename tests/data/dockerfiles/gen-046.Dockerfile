FROM pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime
ENV DEBIAN_FRONTEND=noninteractive
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update && apt-get install -y --no-install-recommends git openssh-client curl && rm -rf /var/lib/apt/lists/*
WORKDIR /home/user/code
ADD . /root/app/
