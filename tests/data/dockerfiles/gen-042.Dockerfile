FROM nvcr.io/nvidia/pytorch:23.10-py3 AS builder
RUN apt-get update && apt-get install -qq cmake
WORKDIR /src
COPY . /src
RUN make -j
FROM python:3.11-slim
COPY --from=builder /src/out /opt/out
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y --no-install-recommends build-essential vim && rm -rf /var/lib/apt/lists/*
RUN pip3 install --no-cache-dir datasets==2.19.0 transformers==4.41.0
COPY . /workspace/
