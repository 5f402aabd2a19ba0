FROM ubuntu:latest AS builder
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl cmake \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM builder
COPY --from=0 /src/out /opt/out
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install htop vim \
    && rm -rf /var/lib/apt/lists/*
RUN pip3 install lightning==2.2.4
RUN python3 -m pip install einops==0.8.0
WORKDIR /workspace
COPY . /root/app/
VOLUME /data
