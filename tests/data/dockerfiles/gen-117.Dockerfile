# syntax=docker/dockerfile:1
FROM rockylinux:9
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3-pip ffmpeg libopenmpi-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /root/project
COPY . /root/app/
EXPOSE 8888
