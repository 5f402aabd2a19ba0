FROM nvcr.io/nvidia/tensorflow:24.03-tf2-py3
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install -r /tmp/requirements.txt
RUN pip install --no-cache-dir einops==0.8.0 torchvision pandas scikit-learn==1.4.2
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install -r /tmp/requirements.txt
WORKDIR /opt/app
ADD . /workspace/
USER 1000
VOLUME /data
ENV WANDB_DIR=/tmp/wandb
CMD python train.py --config configs/base.yaml
