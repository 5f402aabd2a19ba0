FROM python@sha256:0123456789abcdef
RUN apt update && apt install -y --no-install-recommends cmake curl wget && rm -rf /var/lib/apt/lists/*
RUN python3 -m pip install jax==0.4.28 transformers==4.41.0
RUN python -m pip install --no-cache-dir torchvision==0.18.0
WORKDIR /workspace
EXPOSE 8000/tcp
