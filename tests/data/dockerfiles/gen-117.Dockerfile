FROM nvidia/cuda:11.8.0-runtime-ubuntu22.04
RUN apt-get update \
    && apt-get install -y libgl1 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR app
ADD . /opt/app/
EXPOSE 8888
VOLUME /data
CMD python train.py --config configs/base.yaml
