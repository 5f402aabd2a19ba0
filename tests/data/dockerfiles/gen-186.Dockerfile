FROM debian:bookworm-slim
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -y cmake htop libgl1 libopenmpi-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR app
COPY . /opt/app/
CMD ["python", "train.py", "--config", "configs/base.yaml"]
