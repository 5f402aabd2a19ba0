FROM alpine:3.19
ENV DEBIAN_FRONTEND=noninteractive
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apk add build-base
WORKDIR /root/project
EXPOSE 6006
