FROM python:3.11-slim
RUN apt update && apt install --no-install-recommends libopenmpi-dev curl && rm -rf /var/lib/apt/lists/*
RUN pip3 install --no-cache-dir accelerate==0.30.1
RUN pip install einops transformers lightning==2.2.4
WORKDIR /workspace
COPY . /workspace/
USER nobody
