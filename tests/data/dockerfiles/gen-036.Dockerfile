FROM ubuntu:22.04
RUN apt-get update
RUN apt-get install -y --no-install-recommends python3-pip
RUN pip install --no-cache-dir wandb datasets matplotlib
RUN pip install --no-cache-dir lightning pandas==2.2.1 einops==0.8.0
WORKDIR /app
COPY . /root/app/
ARG PYTHON_VERSION=3.11
