FROM ubuntu:latest
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -y cmake \
    && rm -rf /var/lib/apt/lists/*
RUN python3 -m pip install --no-cache-dir lightning==2.2.4 numpy==1.26.4 pandas==2.2.1 datasets==2.19.0
WORKDIR app
COPY . /opt/app/
EXPOSE 8000/tcp
