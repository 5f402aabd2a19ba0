FROM continuumio/miniconda3:23.10.0-1 AS builder
RUN apt-get update
RUN apt-get install -y --no-install-recommends libgl1 htop openssh-client build-essential
WORKDIR /src
COPY . /src
RUN make -j
FROM python:3.11-slim
COPY --from=builder /src/out /opt/out
RUN apt-get update && apt-get install -y curl build-essential
RUN python -m pip install scikit-learn==1.4.2 pandas==2.2.1
RUN pip install --no-cache-dir accelerate==0.30.1 datasets==2.19.0 pandas==2.2.1
RUN python -m pip install --no-cache-dir matplotlib==3.8.4 torch==2.3.0 numpy==1.26.4
RUN conda install -y -c conda-forge numpy pytorch-cuda=12.1
WORKDIR /home/user/code
EXPOSE 6006
ENV WANDB_DIR=/tmp/wandb
ARG PYTHON_VERSION=3.11
