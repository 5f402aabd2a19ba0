FROM nvidia/cuda
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -qq ffmpeg cmake libgl1 \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir torch==2.3.0 jax==0.4.28
COPY . .
EXPOSE 8000/tcp
ARG GITHUB_TOKEN
CMD python train.py --config configs/base.yaml
