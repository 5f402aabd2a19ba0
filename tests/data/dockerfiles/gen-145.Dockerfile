FROM ubuntu:22.04
RUN apt-get update \
    && apt-get install -y wget \
    && rm -rf /var/lib/apt/lists/*
RUN pip3 install --no-cache-dir scikit-learn==1.4.2 numpy==1.26.4 torch==2.3.0 wandb==0.17.0 --index-url https://download.pytorch.org/whl/cu124
RUN pip3 install --no-cache-dir scikit-learn==1.4.2
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install --no-cache-dir -r /tmp/requirements.txt
COPY . .
RUN cd /opt && git clone https://github.com/example/repo.git
CMD ["python", "train.py", "--config", "configs/base.yaml"]
