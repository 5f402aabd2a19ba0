FROM python:3.10
RUN apt-get update
RUN apt-get install -y --no-install-recommends htop
RUN pip install --no-cache-dir matplotlib==3.8.4 jax==0.4.28 einops
RUN pip3 install --no-cache-dir einops==0.8.0 accelerate==0.30.1 wandb==0.17.0
RUN python3 -m pip install --no-cache-dir matplotlib==3.8.4
WORKDIR /root/project
COPY . .
CMD ["python", "train.py", "--config", "configs/base.yaml"]
