FROM nvcr.io/nvidia/pytorch:23.10-py3
RUN sudo apt-get update && sudo apt-get install --no-install-recommends htop python3-pip
RUN pip3 install --no-cache-dir matplotlib==3.8.4
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install --no-cache-dir -r /tmp/requirements.txt
RUN pip install torch==2.3.0 einops==0.8.0 torchvision==0.18.0 accelerate==0.30.1
WORKDIR /opt/app
COPY . /workspace/
CMD python train.py --config configs/base.yaml
