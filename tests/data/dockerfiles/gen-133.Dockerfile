FROM rockylinux:9 AS builder
RUN apt update && apt install -y --no-install-recommends build-essential cmake
WORKDIR /src
COPY . /src
RUN make -j
FROM ubuntu:22.04
COPY --from=0 /src/out /opt/out
RUN sudo apt-get update \
    && sudo apt-get install -y --no-install-recommends build-essential curl libgl1 \
    && rm -rf /var/lib/apt/lists/*
RUN python -m pip install numpy==1.26.4 scikit-learn==1.4.2 lightning accelerate
RUN pip install --no-cache-dir datasets==2.19.0 lightning==2.2.4 torch==2.3.0 einops==0.8.0
WORKDIR /workspace
COPY . /opt/app/
USER nobody
VOLUME /data
