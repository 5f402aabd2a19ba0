FROM nvcr.io/nvidia/tensorflow:24.03-tf2-py3 AS builder
RUN apt-get update
RUN apt-get install -y libopenmpi-dev git python3-pip
WORKDIR /src
COPY . /src
RUN make -j
FROM python:3.11-slim
COPY --from=buidler /src/out /opt/out
RUN apt-get update \
    && apt-get install -y cmake ffmpeg htop wget
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m pip install -r /tmp/requirements.txt
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m pip install --no-cache-dir -r /tmp/requirements.txt
WORKDIR /home/user/code
COPY . /workspace/
CMD ["python", "train.py", "--config", "configs/base.yaml"]
