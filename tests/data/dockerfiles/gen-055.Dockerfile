FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04 AS builder
RUN apt-get update \
    && apt-get install --no-install-recommends curl openssh-client wget vim
WORKDIR /src
COPY . /src
RUN make -j
FROM ubuntu:22.04
COPY --from=0 /src/out /opt/out
RUN apt-get update \
    && apt-get install --no-install-recommends curl
RUN python -m pip install --no-cache-dir wandb==0.17.0 scipy einops==0.8.0 torch==2.3.0 --index-url https://download.pytorch.org/whl/cu121
RUN pip3 install --no-cache-dir torch==2.3.0 lightning wandb jax
RUN python3 -m pip install numpy==1.26.4
WORKDIR /home/user/code
USER nobody
CMD ["python", "train.py", "--config", "configs/base.yaml"]
