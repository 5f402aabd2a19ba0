FROM ubuntu AS builder
RUN apt-get update && apt-get install cmake python3-pip curl openssh-client && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04
COPY --from=builder /src/out /opt/out
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y --no-install-recommends libopenmpi-dev vim
RUN python -m pip install --no-cache-dir wandb==0.17.0
WORKDIR /app
ADD . /root/app/
USER nobody
CMD ["python", "train.py", "--config", "configs/base.yaml"]
