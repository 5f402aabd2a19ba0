ARG CUDA=12.4.1
FROM nvidia/cuda:${CUDA}-cudnn-devel-ubuntu22.04 AS builder
RUN apt-get update && apt-get install -y build-essential libgl1 vim
WORKDIR /src
COPY . /src
RUN make -j
FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04
COPY --from=0 /src/out /opt/out
RUN apt-get update && apt-get install --no-install-recommends python3-pip ffmpeg openssh-client curl
RUN python3 -m pip install --no-cache-dir scipy==1.12.0 jax==0.4.28 pandas==2.2.1 matplotlib==3.8.4
WORKDIR /workspace
ADD . /opt/app/
