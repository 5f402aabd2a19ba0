FROM nvidia/cuda:11.8.0-runtime-ubuntu22.04
WORKDIR /workspace
EXPOSE 22
VOLUME /data
