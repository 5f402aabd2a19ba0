FROM nvidia/cuda
RUN apt-get update \
    && apt-get install -y libopenmpi-dev ffmpeg libgl1 openssh-client \
    && rm -rf /var/lib/apt/lists/*
RUN pip install einops==0.8.0
COPY . /root/app/
ENTRYPOINT ["/opt/entrypoint.sh"]
