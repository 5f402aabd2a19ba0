FROM nvidia/cuda AS builder
RUN apt-get update \
    && apt-get install -qq --no-install-recommends vim
WORKDIR /src
COPY . /src
RUN make -j
FROM python:3.11-slim
COPY --from=builder /src/out /opt/out
RUN apt-get update \
    && apt-get install -y --no-install-recommends libopenmpi-dev curl build-essential wget
RUN python -m pip install matplotlib==3.8.4 wandb==0.17.0 pandas==2.2.1 jax==0.4.28
WORKDIR /app
COPY . .
CMD ["python", "train.py", "--config", "configs/base.yaml"]
