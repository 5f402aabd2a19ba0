FROM python:3.12-alpine AS builder
RUN apt-get update \
    && apt-get install --no-install-recommends vim wget libgl1 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM builder
COPY --from=builder /src/out /opt/out
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apk add --no-cache py3-pip
RUN python -m pip install --no-cache-dir numpy
RUN python -m pip install --user scipy==1.12.0 pandas==2.2.1 einops==0.8.0
EXPOSE 8888
CMD python train.py --config configs/base.yaml
