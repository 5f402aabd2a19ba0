FROM nvcr.io/nvidia/tensorflow:24.03-tf2-py3
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y python3-pip build-essential ffmpeg libopenmpi-dev && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir lightning==2.2.4 matplotlib==3.8.4 numpy==1.26.4
RUN pip3 install --no-cache-dir --user accelerate matplotlib
RUN python -m pip install torch==2.3.0 pandas --index-url https://download.pytorch.org/whl/cu124
WORKDIR /workspace
COPY . /workspace/
ENV MPLCONFIGDIR=/tmp/mpl
CMD python train.py --config configs/base.yaml
