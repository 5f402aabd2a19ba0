FROM python@sha256:0123456789abcdef
RUN sudo apt-get update \
    && sudo apt-get install -y htop libopenmpi-dev
WORKDIR app
COPY . /root/app/
USER 1000
VOLUME /data
CMD ["python", "train.py", "--config", "configs/base.yaml"]
