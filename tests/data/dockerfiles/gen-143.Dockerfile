MAINTAINER lab <lab@example.edu>
FROM nvcr.io/nvidia/tensorflow:24.03-tf2-py3
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg htop vim
RUN pip install --no-cache-dir lightning==2.2.4
WORKDIR /home/user/code
ADD . .
CMD ["python", "train.py", "--config", "configs/base.yaml"]
