FROM nvidia/cuda AS builder
RUN apt-get update && apt-get install -qq libopenmpi-dev build-essential
WORKDIR /src
COPY . /src
RUN make -j
FROM ubuntu:22.04
COPY --from=0 /src/out /opt/out
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -qq --no-install-recommends build-essential git
RUN python -m pip install scipy==1.12.0 torchvision==0.18.0 torch==2.3.0 --index-url https://download.pytorch.org/whl/cu121
RUN pip install lightning==2.2.4 numpy einops
WORKDIR app
