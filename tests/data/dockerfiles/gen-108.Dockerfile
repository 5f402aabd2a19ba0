FROM debian:bookworm-slim
ENV DEBIAN_FRONTEND=noninteractive
WORKDIR /root/project
EXPOSE 22
ARG PYTHON_VERSION=3.11
