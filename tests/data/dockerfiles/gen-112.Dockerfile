FROM nvidia/cuda AS builder
RUN apt update
RUN apt install -y --no-install-recommends openssh-client python3-pip
WORKDIR /src
COPY . /src
RUN make -j
FROM ubuntu:22.04
COPY --from=builder /src/out /opt/out
RUN apt-get update
RUN apt-get install -y build-essential openssh-client wget libgl1
WORKDIR /opt/app
USER 1000
VOLUME /data
CMD python train.py --config configs/base.yaml
