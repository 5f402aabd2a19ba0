FROM python:3.12-alpine
RUN apk add --no-cache curl build-base
RUN python3 -m pip install --no-cache-dir accelerate==0.30.1 datasets einops
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m pip install -r /tmp/requirements.txt
WORKDIR /root/project
ENV HF_HOME=/opt/hf
CMD ["python", "train.py", "--config", "configs/base.yaml"]
CMD ["bash"]
