FROM mambaorg/micromamba:1.5.8 AS builder
RUN apt-get update
RUN apt-get install -y libopenmpi-dev libgl1 wget vim
WORKDIR /src
COPY . /src
RUN make -j
FROM ubuntu:22.04
COPY --from=0 /src/out /opt/out
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y --no-install-recommends libgl1 && rm -rf /var/lib/apt/lists/*
RUN python -m pip install --no-cache-dir datasets==2.19.0 einops==0.8.0
COPY requirements.txt /tmp/requirements.txt
RUN python -m pip install --no-cache-dir -r /tmp/requirements.txt
RUN python3 -m pip install --no-cache-dir scipy torchvision jax==0.4.28 lightning
RUN conda install -y -c conda-forge scipy numpy
WORKDIR /workspace
USER researcher
CMD ["python", "train.py", "--config", "configs/base.yaml"]
