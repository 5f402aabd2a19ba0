# syntax=docker/dockerfile:1
FROM nvidia/cuda:11.8.0-runtime-ubuntu22.04 AS builder
RUN apt-get update && apt-get install --no-install-recommends openssh-client && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04
COPY --from=0 /src/out /opt/out
RUN pip3 install --user datasets==2.19.0
RUN python -m pip install datasets torch==2.3.0 matplotlib transformers --index-url https://download.pytorch.org/whl/cu124
WORKDIR /workspace
COPY . /opt/app/
CMD python train.py --config configs/base.yaml
CMD ["bash"]
