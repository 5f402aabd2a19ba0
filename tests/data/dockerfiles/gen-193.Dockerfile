FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04 AS builder
RUN apt-get update && apt-get install -y curl openssh-client vim && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04
COPY --from=builder /src/out /opt/out
ENV DEBIAN_FRONTEND=noninteractive
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN pip install numpy==1.26.4
RUN python3 -m pip install --no-cache-dir scipy==1.12.0 einops==0.8.0 datasets==2.19.0
RUN pip install --no-cache-dir lightning==2.2.4 numpy==1.26.4 wandb==0.17.0
WORKDIR /home/user/code
CMD python train.py --config configs/base.yaml
