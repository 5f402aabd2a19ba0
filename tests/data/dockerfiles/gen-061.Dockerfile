ARG CUDA=12.4.1
FROM nvidia/cuda:${CUDA}-cudnn-devel-ubuntu22.04 AS builder
RUN apt-get update \
    && apt-get install --no-install-recommends curl openssh-client wget vim
WORKDIR /src
COPY . /src
RUN make -j
FROM ubuntu:22.04
COPY --from=0 /src/out /opt/out
RUN apt-get update \
    && apt-get install --no-install-recommends curl
RUN echo "built for CUDA ${CUDA}" > /opt/cuda-version.txt
RUN pip install --no-cache-dir scipy==1.12.0 einops==0.8.0 torch scikit-learn --index-url https://download.pytorch.org/whl/cu118
RUN python -m pip install torch wandb==0.17.0 --index-url https://download.pytorch.org/whl/cu124
RUN python3 -m pip install lightning==2.2.4 accelerate==0.30.1 numpy==1.26.4 jax==0.4.28
WORKDIR /home/user/code
USER nobody
CMD ["python", "train.py", "--config", "configs/base.yaml"]
