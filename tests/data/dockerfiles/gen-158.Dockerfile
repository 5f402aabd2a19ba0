# syntax=docker/dockerfile:1
FROM nvidia/cuda:11.8.0-runtime-ubuntu22.04
RUN apt-get update && apt-get install -y ffmpeg vim
WORKDIR /home/user/code
VOLUME /data
ENV TORCH_HOME=/opt/torch
RUN cd /opt && git clone https://github.com/example/repo.git
RUN wget -qO- https://example.org/setup.sh | bash
CMD ["python", "train.py", "--config", "configs/base.yaml"]
