FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04
RUN python -m pip install --no-cache-dir scipy==1.12.0 lightning==2.2.4
RUN python3 -m pip install --no-cache-dir numpy accelerate==0.30.1 datasets
WORKDIR /workspace
ADD . /opt/app/
CMD ["python", "train.py", "--config", "configs/base.yaml"]
