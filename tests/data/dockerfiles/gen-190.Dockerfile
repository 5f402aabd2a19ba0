FROM continuumio/miniconda3:23.10.0-1
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y wget
RUN conda install -y -c conda-forge numpy pytorch-cuda=12.1
WORKDIR /workspace
ADD . /opt/app/
CMD python train.py --config configs/base.yaml
