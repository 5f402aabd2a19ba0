FROM python:3.10
WORKDIR /workspace
CMD python train.py --config configs/base.yaml
