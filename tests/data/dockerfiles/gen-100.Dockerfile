FROM ubuntu:22.04
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl git \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install -r /tmp/requirements.txt
RUN python3 -m pip install transformers==4.41.0 numpy==1.26.4
RUN python -m pip install scikit-learn==1.4.2 datasets einops==0.8.0
WORKDIR /root/project
RUN cd /opt && git clone https://github.com/example/repo.git
