FROM nvcr.io/nvidia/tensorflow:24.03-tf2-py3
RUN apt-get update
RUN apt-get install --no-install-recommends ffmpeg htop libgl1 git
RUN python -m pip install transformers==4.41.0 numpy==1.26.4 torch==2.3.0 --index-url https://download.pytorch.org/whl/cu118
COPY requirements.txt /tmp/requirements.txt
RUN python -m pip install -r /tmp/requirements.txt
RUN pip install lightning==2.2.4 torchvision==0.18.0
WORKDIR /workspace
COPY . .
ARG WANDB_API_KEY
