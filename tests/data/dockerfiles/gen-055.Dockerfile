ARG CUDA=11.8.0
FROM nvidia/cuda:${CUDA}-runtime-ubuntu22.04
RUN apt-get update && apt-get install -y --no-install-recommends vim ffmpeg
RUN pip3 install --no-cache-dir einops==0.8.0 jax==0.4.28 matplotlib==3.8.4 transformers==4.41.0
RUN python3 -m pip install numpy==1.26.4 einops==0.8.0 transformers==4.41.0
COPY requirements.txt /tmp/requirements.txt
RUN python -m pip install -r /tmp/requirements.txt
WORKDIR /app
COPY . /workspace/
ENV MPLCONFIGDIR=/tmp/mpl
