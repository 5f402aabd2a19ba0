FROM python:3.11-slim AS builder
RUN apt-get update \
    && apt-get install -y htop python3-pip \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM ubuntu:22.04
COPY --from=0 /src/out /opt/out
RUN apt-get update && apt-get install -y wget cmake git openssh-client
RUN python3 -m pip install transformers==4.41.0
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt
WORKDIR /root/project
COPY . /opt/app/
EXPOSE 22
CMD python train.py --config configs/base.yaml
