FROM nvcr.io/nvidia/tensorflow:24.03-tf2-py3
ENV DEBIAN_FRONTEND=noninteractive
WORKDIR /opt/app
COPY . .
USER 1000
EXPOSE 8888
