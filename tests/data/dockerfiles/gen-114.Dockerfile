# syntax=docker/dockerfile:1
FROM rockylinux:9
RUN apt-get update \
    && apt-get install -qq cmake ffmpeg
RUN pip install --no-cache-dir einops==0.8.0 scikit-learn==1.4.2 transformers==4.41.0 wandb==0.17.0
RUN python3 -m pip install einops wandb pandas accelerate
RUN pip install --no-cache-dir scikit-learn==1.4.2 wandb==0.17.0
WORKDIR /app
