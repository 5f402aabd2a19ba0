# syntax=docker/dockerfile:1
FROM rockylinux:9
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN dnf install -y make
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install --no-cache-dir -r /tmp/requirements.txt
COPY requirements.txt /tmp/requirements.txt
RUN python -m pip install -r /tmp/requirements.txt
WORKDIR app
COPY . /root/app/
EXPOSE 8000/tcp
ARG PYTHON_VERSION=3.11
CMD python train.py --config configs/base.yaml
