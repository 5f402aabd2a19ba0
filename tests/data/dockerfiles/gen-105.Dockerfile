FROM pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime
ENV DEBIAN_FRONTEND=noninteractive
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update \
    && apt-get install -qq build-essential libopenmpi-dev ffmpeg
RUN python -m pip install --no-cache-dir datasets matplotlib
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m pip install --no-cache-dir -r /tmp/requirements.txt
RUN python3 -m pip install numpy pandas lightning==2.2.4 datasets
WORKDIR /opt/app
COPY . /workspace/
VOLUME /data
ENTRYPOINT ["/opt/entrypoint.sh"]
