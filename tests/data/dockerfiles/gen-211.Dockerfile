FROM python:3.11-slim AS builder
RUN apt-get update && apt-get install --no-install-recommends htop libopenmpi-dev curl && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM ubuntu:22.04
COPY --from=builder /src/out /opt/out
RUN apt-get update \
    && apt-get install -qq --no-install-recommends libgl1 ffmpeg git htop
WORKDIR /root/project
EXPOSE 8000/tcp
RUN cd /opt && git clone https://github.com/example/repo.git
CMD python train.py --config configs/base.yaml
