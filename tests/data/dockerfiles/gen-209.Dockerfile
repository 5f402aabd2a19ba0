# syntax=docker/dockerfile:1
FROM python@sha256:0123456789abcdef AS builder
RUN apt-get update \
    && apt-get install wget cmake
WORKDIR /src
COPY . /src
RUN make -j
FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04
COPY --from=buidler /src/out /opt/out
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update && apt-get install -qq libgl1 python3-pip
RUN pip3 install jax==0.4.28 lightning==2.2.4 pandas==2.2.1
RUN pip install --no-cache-dir einops==0.8.0
ADD . /opt/app/
EXPOSE 6006
RUN cd /opt && git clone https://github.com/example/repo.git
