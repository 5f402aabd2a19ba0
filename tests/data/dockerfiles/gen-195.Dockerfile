FROM nvcr.io/nvidia/pytorch:23.10-py3
RUN apt-get update \
    && apt-get install -y cmake \
    && rm -rf /var/lib/apt/lists/*
RUN python -m pip install --no-cache-dir numpy==1.26.4 torch==2.3.0
RUN python -m pip install --no-cache-dir transformers==4.41.0
RUN python -m pip install datasets==2.19.0
WORKDIR /root/project
ENV MPLCONFIGDIR=/tmp/mpl
