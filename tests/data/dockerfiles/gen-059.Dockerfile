FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04 AS builder
RUN apt-get update \
    && apt-get install -qq build-essential curl
WORKDIR /src
COPY . /src
RUN make -j
FROM builder
COPY --from=buidler /src/out /opt/out
RUN pip install --no-cache-dir torchvision==0.18.0 transformers
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install -r /tmp/requirements.txt
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt
WORKDIR /home/user/code
COPY . /root/app/
EXPOSE 6006
RUN cd /opt && git clone https://github.com/example/repo.git
ENTRYPOINT ["/opt/entrypoint.sh"]
