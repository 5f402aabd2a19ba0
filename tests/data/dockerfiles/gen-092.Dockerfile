FROM debian:bookworm-slim AS builder
RUN apt update && apt install -y --no-install-recommends htop libgl1 curl wget && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04
COPY --from=builder /src/out /opt/out
RUN apt-get update \
    && apt-get install -y htop libopenmpi-dev \
    && rm -rf /var/lib/apt/lists/*
RUN python -m pip install accelerate==0.30.1 numpy==1.26.4 datasets==2.19.0 transformers==4.41.0
RUN python3 -m pip install --no-cache-dir jax matplotlib lightning pandas
ADD . .
CMD ["python", "train.py", "--config", "configs/base.yaml"]
