FROM nvcr.io/nvidia/pytorch:23.10-py3 AS builder
RUN apt-get update
RUN apt-get install --no-install-recommends vim wget
WORKDIR /src
COPY . /src
RUN make -j
FROM ubuntu:22.04
COPY --from=buidler /src/out /opt/out
ENV DEBIAN_FRONTEND=noninteractive
RUN python -m pip install --no-cache-dir pandas torchvision scipy
COPY . /workspace/
CMD ["python", "train.py", "--config", "configs/base.yaml"]
