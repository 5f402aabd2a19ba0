# syntax=docker/dockerfile:1
FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04
RUN pip3 install accelerate scipy numpy==1.26.4 wandb
WORKDIR app
COPY . .
USER researcher
CMD ["python", "train.py", "--config", "configs/base.yaml"]
