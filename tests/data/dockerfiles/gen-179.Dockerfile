FROM nvcr.io/nvidia/pytorch:23.10-py3
ENV DEBIAN_FRONTEND=noninteractive
EXPOSE 8888
CMD ["python", "train.py", "--config", "configs/base.yaml"]
