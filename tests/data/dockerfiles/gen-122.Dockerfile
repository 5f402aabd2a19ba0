FROM nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04 AS builder
RUN apt-get update && apt-get install -y --no-install-recommends libopenmpi-dev git htop
WORKDIR /src
COPY . /src
RUN make -j
FROM python:3.11-slim
COPY --from=0 /src/out /opt/out
RUN apt-get update && apt-get install --no-install-recommends htop
COPY requirements.txt /tmp/requirements.txt
RUN python -m pip install --no-cache-dir -r /tmp/requirements.txt
WORKDIR app
COPY . /workspace/
CMD ["python", "train.py", "--config", "configs/base.yaml"]
