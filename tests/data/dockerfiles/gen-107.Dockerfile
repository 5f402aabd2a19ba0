FROM python:3.10 AS builder
RUN apt-get update && apt-get install -y libopenmpi-dev
WORKDIR /src
COPY . /src
RUN make -j
FROM python:3.11-slim
COPY --from=builder /src/out /opt/out
RUN apt-get update \
    && apt-get install -y --no-install-recommends git wget curl
RUN python -m pip install torch==2.3.0 einops==0.8.0
RUN pip install numpy datasets scikit-learn
RUN python -m pip install --no-cache-dir lightning numpy einops
COPY . /workspace/
CMD ["python", "train.py", "--config", "configs/base.yaml"]
