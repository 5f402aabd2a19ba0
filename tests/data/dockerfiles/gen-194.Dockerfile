FROM debian:bookworm-slim AS builder
RUN apt-get update
RUN apt-get install --no-install-recommends cmake libgl1
WORKDIR /src
COPY . /src
RUN make -j
FROM ubuntu:22.04
COPY --from=buidler /src/out /opt/out
RUN apt-get update \
    && apt-get install -y python3-pip wget
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m pip install -r /tmp/requirements.txt
RUN pip install pandas==2.2.1 einops==0.8.0 scipy==1.12.0 torch==2.3.0
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install --no-cache-dir -r /tmp/requirements.txt
ARG GITHUB_TOKEN
