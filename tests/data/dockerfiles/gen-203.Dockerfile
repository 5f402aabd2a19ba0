FROM ubuntu:22.04
ENV DEBIAN_FRONTEND=noninteractive
RUN apt update \
    && apt install -y --no-install-recommends wget cmake curl
RUN python3 -m pip install einops==0.8.0 scipy==1.12.0 transformers==4.41.0
RUN python3 -m pip install --user torchvision==0.18.0 wandb==0.17.0 accelerate==0.30.1 torch==2.3.0
RUN python3 -m pip install --no-cache-dir torchvision==0.18.0 datasets==2.19.0
WORKDIR /opt/app
COPY . /workspace/
CMD ["python", "train.py", "--config", "configs/base.yaml"]
