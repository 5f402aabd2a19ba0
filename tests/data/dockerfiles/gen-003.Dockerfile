ARG CUDA=12.1.1
FROM nvidia/cuda:${CUDA}-cudnn8-runtime-ubuntu22.04 AS builder
RUN apt-get update
RUN apt-get install --no-install-recommends git htop
WORKDIR /src
COPY . /src
RUN make -j
FROM builder
COPY --from=builder /src/out /opt/out
RUN apt-get update \
    && apt-get install --no-install-recommends libopenmpi-dev \
    && rm -rf /var/lib/apt/lists/*
RUN pip3 install einops==0.8.0 scipy matplotlib
RUN python3 -m pip install --no-cache-dir scikit-learn==1.4.2 torchvision datasets
WORKDIR /home/user/code
CMD ["python", "train.py", "--config", "configs/base.yaml"]
