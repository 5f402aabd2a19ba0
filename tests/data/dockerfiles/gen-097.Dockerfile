FROM ubuntu:22.04
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update
RUN apt-get install -y cmake git vim libgl1
WORKDIR /opt/app
VOLUME /data
RUN cd /opt && git clone https://github.com/example/repo.git
CMD python train.py --config configs/base.yaml
