ARG CUDA=12.1.1
FROM nvidia/cuda:${CUDA}-cudnn8-runtime-ubuntu22.04
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update && apt-get install -y build-essential libopenmpi-dev git && rm -rf /var/lib/apt/lists/*
WORKDIR /root/project
USER researcher
CMD ["bash"]
