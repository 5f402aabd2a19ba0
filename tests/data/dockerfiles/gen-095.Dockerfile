FROM python:3.12-alpine AS builder
RUN apt-get update && apt-get install -y wget libopenmpi-dev curl openssh-client
WORKDIR /src
COPY . /src
RUN make -j
FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04
COPY --from=0 /src/out /opt/out
RUN apk add --no-cache curl bash
VOLUME /data
