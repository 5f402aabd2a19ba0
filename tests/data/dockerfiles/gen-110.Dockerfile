FROM nvcr.io/nvidia/pytorch:23.10-py3
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
WORKDIR app
COPY . .
USER researcher
