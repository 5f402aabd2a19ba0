FROM debian:bookworm-slim
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install build-essential libgl1 && rm -rf /var/lib/apt/lists/*
RUN pip3 install --no-cache-dir einops==0.8.0 numpy==1.26.4 scikit-learn==1.4.2
RUN pip install --no-cache-dir --user pandas jax==0.4.28 numpy==1.26.4
WORKDIR app
ADD . .
USER 1000
CMD python train.py --config configs/base.yaml
