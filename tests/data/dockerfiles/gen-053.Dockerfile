FROM nvcr.io/nvidia/tensorflow:24.03-tf2-py3
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgl1 htop
RUN pip3 install lightning jax accelerate==0.30.1
VOLUME /data
CMD python train.py --config configs/base.yaml
