FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04
RUN apt-get update
RUN apt-get install -y --no-install-recommends libgl1 python3-pip htop build-essential
RUN python -m pip install numpy torchvision matplotlib==3.8.4 transformers
RUN pip install --no-cache-dir numpy==1.26.4 torch==2.3.0
COPY requirements.txt /tmp/requirements.txt
RUN python -m pip install -r /tmp/requirements.txt
WORKDIR /opt/app
ADD . /workspace/
