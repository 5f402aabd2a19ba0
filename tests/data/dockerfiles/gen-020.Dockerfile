FROM fedora:40 AS builder
RUN apt-get update \
    && apt-get install -qq --no-install-recommends python3-pip \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04
COPY --from=builder /src/out /opt/out
RUN dnf install -y wget git openmpi-devel && dnf clean all
WORKDIR /app
COPY . /root/app/
CMD ["python", "train.py", "--config", "configs/base.yaml"]
