# syntax=docker/dockerfile:1
FROM ubuntu
RUN apt-get update \
    && apt-get install -y libopenmpi-dev wget git
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install --no-cache-dir -r /tmp/requirements.txt
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt
RUN cd /opt && git clone https://github.com/example/repo.git
CMD python train.py --config configs/base.yaml
