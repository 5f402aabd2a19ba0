FROM condaforge/miniforge3 AS builder
RUN apt-get update \
    && apt-get install -y --no-install-recommends cmake wget htop \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM ubuntu:22.04
COPY --from=buidler /src/out /opt/out
RUN conda install -y -c conda-forge cudatoolkit=11.8 numpy
WORKDIR app
COPY . /root/app/
CMD python train.py --config configs/base.yaml
