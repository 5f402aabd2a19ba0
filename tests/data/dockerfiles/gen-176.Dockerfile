FROM ubuntu:22.04
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN sudo apt update && sudo apt install -y build-essential libopenmpi-dev vim python3-pip && rm -rf /var/lib/apt/lists/*
WORKDIR /home/user/code
COPY . .
ENTRYPOINT ["/opt/entrypoint.sh"]
