FROM nvidia/cuda:11.8.0-runtime-ubuntu22.04
RUN apt-get update \
    && apt-get install -y git libgl1 \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install --no-cache-dir -r /tmp/requirements.txt
WORKDIR /home/user/code
COPY . .
CMD ["python", "train.py", "--config", "configs/base.yaml"]
ENTRYPOINT ["/opt/entrypoint.sh"]
