FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04
RUN apt-get update \
    && apt-get install --no-install-recommends openssh-client \
    && rm -rf /var/lib/apt/lists/*
RUN pip3 install lightning==2.2.4 wandb transformers accelerate
RUN python3 -m pip install torch==2.3.0 torchvision==0.18.0 scikit-learn==1.4.2 --index-url https://download.pytorch.org/whl/cu124
WORKDIR /app
COPY . /root/app/
CMD ["python", "train.py", "--config", "configs/base.yaml"]
CMD ["bash"]
