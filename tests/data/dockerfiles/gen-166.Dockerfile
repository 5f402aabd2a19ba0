# syntax=docker/dockerfile:1
FROM condaforge/miniforge3
ENV DEBIAN_FRONTEND=noninteractive
RUN conda install -y -c conda-forge numpy scipy
WORKDIR /root/project
COPY . /workspace/
ARG PYTHON_VERSION=3.11
CMD python train.py --config configs/base.yaml
