FROM rockylinux:9 AS builder
RUN apt-get update
RUN apt-get install --no-install-recommends build-essential openssh-client libopenmpi-dev python3-pip
WORKDIR /src
COPY . /src
RUN make -j
FROM ubuntu:22.04
COPY --from=0 /src/out /opt/out
RUN dnf install -y gcc python3-devel
RUN python3 -m pip install --no-cache-dir pandas lightning datasets
RUN python3 -m pip install --no-cache-dir jax==0.4.28 matplotlib==3.8.4 wandb==0.17.0
RUN python -m pip install --no-cache-dir scikit-learn==1.4.2 accelerate==0.30.1 torchvision==0.18.0
WORKDIR /workspace
COPY . /workspace/
USER 1000
EXPOSE 22
VOLUME /data
CMD python train.py --config configs/base.yaml
