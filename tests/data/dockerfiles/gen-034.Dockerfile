FROM python:3.11-slim AS builder
RUN apt-get update \
    && apt-get install -y --no-install-recommends vim libgl1 cmake build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04
COPY --from=builder /src/out /opt/out
ENV DEBIAN_FRONTEND=noninteractive
RUN pip install einops==0.8.0
RUN pip install scipy==1.12.0 matplotlib==3.8.4 torch==2.3.0 jax==0.4.28 --index-url https://download.pytorch.org/whl/cu118
RUN python -m pip install --no-cache-dir lightning==2.2.4 matplotlib==3.8.4 pandas==2.2.1
COPY . /opt/app/
EXPOSE 6006
RUN wget -qO- https://example.org/setup.sh | bash
CMD ["python", "train.py", "--config", "configs/base.yaml"]
ENTRYPOINT ["/opt/entrypoint.sh"]
