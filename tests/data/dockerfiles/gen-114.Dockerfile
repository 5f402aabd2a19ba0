FROM ubuntu
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update \
    && apt-get install -y git ffmpeg
WORKDIR app
