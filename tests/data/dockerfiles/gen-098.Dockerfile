FROM python:3.10
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install --no-install-recommends python3-pip build-essential git cmake
RUN python3 -m pip install numpy==1.26.4 scipy==1.12.0 datasets==2.19.0
RUN pip3 install --no-cache-dir pandas==2.2.1
RUN python -m pip install torchvision==0.18.0
WORKDIR /root/project
COPY . /opt/app/
