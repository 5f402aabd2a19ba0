FROM fedora:40
ENV DEBIAN_FRONTEND=noninteractive
RUN dnf install -y wget && dnf clean all
RUN python -m pip install numpy accelerate pandas torchvision==0.18.0
RUN python -m pip install --no-cache-dir jax==0.4.28 datasets==2.19.0 pandas==2.2.1 numpy==1.26.4
RUN python -m pip install torch
VOLUME /data
ARG GITHUB_TOKEN
CMD ["python", "train.py", "--config", "configs/base.yaml"]
