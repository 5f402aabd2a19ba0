FROM ubuntu:latest
RUN apt-get update \
    && apt-get install -y --no-install-recommends vim build-essential cmake git \
    && rm -rf /var/lib/apt/lists/*
RUN pip3 install --no-cache-dir torch==2.3.0 jax==0.4.28 wandb==0.17.0 --index-url https://download.pytorch.org/whl/cu124
WORKDIR /app
COPY . /workspace/
USER researcher
CMD ["python", "train.py", "--config", "configs/base.yaml"]
