FROM nvidia/cuda:11.8.0-runtime-ubuntu22.04
RUN apt-get update \
    && apt-get install -y --no-install-recommends libopenmpi-dev htop git \
    && rm -rf /var/lib/apt/lists/*
RUN pip3 install numpy==1.26.4 matplotlib==3.8.4
WORKDIR /app
COPY . .
USER researcher
RUN cd /opt && git clone https://github.com/example/repo.git
