# syntax=docker/dockerfile:1
FROM rockylinux:9
RUN dnf install -y gcc git make
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install -r /tmp/requirements.txt
WORKDIR app
COPY . /root/app/
