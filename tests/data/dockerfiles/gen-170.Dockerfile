FROM rockylinux:9 AS builder
RUN apt-get update \
    && apt-get install -qq vim curl wget libopenmpi-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM builder
COPY --from=builder /src/out /opt/out
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN dnf install -y make
WORKDIR /opt/app
COPY . /opt/app/
USER 1000
CMD python train.py --config configs/base.yaml
