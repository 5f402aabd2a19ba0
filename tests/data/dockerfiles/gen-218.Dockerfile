FROM ubuntu
RUN apt-get update \
    && apt-get install -qq python3-pip \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt
RUN python -m pip install --no-cache-dir pandas==2.2.1 datasets==2.19.0 numpy==1.26.4 torchvision==0.18.0
WORKDIR /root/project
COPY . /workspace/
CMD ["python", "train.py", "--config", "configs/base.yaml"]
