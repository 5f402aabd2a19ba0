FROM nvcr.io/nvidia/tensorflow:24.03-tf2-py3
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg build-essential \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt
RUN python3 -m pip install --no-cache-dir torchvision==0.18.0 einops==0.8.0 jax==0.4.28 accelerate==0.30.1
WORKDIR /app
ADD . /workspace/
USER nobody
ENTRYPOINT ["/opt/entrypoint.sh"]
