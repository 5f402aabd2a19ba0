FROM nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04
WORKDIR /root/project
COPY . /workspace/
CMD python train.py --config configs/base.yaml
