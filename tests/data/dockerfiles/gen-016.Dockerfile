FROM mambaorg/micromamba:1.5.8 AS builder
RUN apt-get update
RUN apt-get install -qq --no-install-recommends curl
WORKDIR /src
COPY . /src
RUN make -j
FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04
COPY --from=0 /src/out /opt/out
RUN python3 -m pip install --no-cache-dir torchvision pandas==2.2.1 torch --index-url https://download.pytorch.org/whl/cu124
RUN conda install -y -c conda-forge pytorch-cuda=12.1 mpi4py
WORKDIR /app
COPY . .
ENV HF_HOME=/opt/hf
CMD ["python", "train.py", "--config", "configs/base.yaml"]
