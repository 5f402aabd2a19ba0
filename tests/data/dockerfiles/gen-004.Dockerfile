FROM ubuntu:22.04
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install --no-install-recommends htop libopenmpi-dev git
RUN pip install --no-cache-dir einops==0.8.0 datasets==2.19.0 pandas==2.2.1
WORKDIR app
USER nobody
CMD python train.py --config configs/base.yaml
