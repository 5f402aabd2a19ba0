FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl htop openssh-client \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir matplotlib numpy==1.26.4 jax==0.4.28 einops
RUN pip3 install scikit-learn==1.4.2 pandas==2.2.1 torch==2.3.0
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install --no-cache-dir -r /tmp/requirements.txt
WORKDIR /app
COPY . .
CMD python train.py --config configs/base.yaml
