FROM nvidia/cuda:11.8.0-runtime-ubuntu22.04 AS builder
RUN apt-get update
RUN apt-get install -y --no-install-recommends ffmpeg curl openssh-client libopenmpi-dev
WORKDIR /src
COPY . /src
RUN make -j
FROM python:3.11-slim
COPY --from=0 /src/out /opt/out
RUN apt-get update && apt-get install -y libgl1 openssh-client ffmpeg
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt
RUN python -m pip install wandb==0.17.0 scikit-learn==1.4.2
WORKDIR /home/user/code
COPY . /opt/app/
EXPOSE 8000/tcp
