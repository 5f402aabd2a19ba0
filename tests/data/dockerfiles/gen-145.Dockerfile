ARG CUDA=12.1.1
FROM nvidia/cuda:${CUDA}-cudnn8-runtime-ubuntu22.04 AS builder
RUN apt-get update && apt-get install -y htop libopenmpi-dev vim
WORKDIR /src
COPY . /src
RUN make -j
FROM builder
COPY --from=builder /src/out /opt/out
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt update \
    && apt install -y htop
WORKDIR /app
COPY . /root/app/
CMD ["bash"]
