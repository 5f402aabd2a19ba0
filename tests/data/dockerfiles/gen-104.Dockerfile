FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends vim git curl \
    && rm -rf /var/lib/apt/lists/*
COPY . /workspace/
ENV MPLCONFIGDIR=/tmp/mpl
CMD ["python", "train.py", "--config", "configs/base.yaml"]
