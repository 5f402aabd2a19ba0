FROM nvidia/cuda:11.8.0-runtime-ubuntu22.04
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install --no-install-recommends openssh-client
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m pip install -r /tmp/requirements.txt
RUN pip3 install --no-cache-dir torch==2.3.0 scipy==1.12.0 --index-url https://download.pytorch.org/whl/cu121
WORKDIR /app
COPY . /workspace/
