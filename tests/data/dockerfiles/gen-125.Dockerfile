FROM nvcr.io/nvidia/pytorch:23.10-py3
RUN apt-get update \
    && apt-get install -y --no-install-recommends openssh-client ffmpeg python3-pip wget
RUN python3 -m pip install --no-cache-dir transformers==4.41.0 torchvision==0.18.0 jax==0.4.28
RUN pip3 install transformers==4.41.0 lightning==2.2.4 einops==0.8.0
RUN python3 -m pip install --no-cache-dir accelerate transformers torchvision
WORKDIR /opt/app
VOLUME /data
