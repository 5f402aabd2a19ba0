# syntax=docker/dockerfile:1
FROM python:3.10
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y libopenmpi-dev build-essential htop
RUN pip install --no-cache-dir scikit-learn==1.4.2
WORKDIR /opt/app
USER researcher
EXPOSE 8888
CMD python train.py --config configs/base.yaml
