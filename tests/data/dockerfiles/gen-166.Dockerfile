FROM ubuntu:latest
ENV DEBIAN_FRONTEND=noninteractive
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update \
    && apt-get install -y --no-install-recommends git build-essential ffmpeg
WORKDIR /workspace
EXPOSE 22
ENV TORCH_HOME=/opt/torch
