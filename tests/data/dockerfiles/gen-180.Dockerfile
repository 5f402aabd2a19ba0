FROM ubuntu:latest
RUN apt-get update && apt-get install -y libopenmpi-dev libgl1 openssh-client htop
RUN python3 -m pip install jax
WORKDIR /home/user/code
COPY . /root/app/
VOLUME /data
