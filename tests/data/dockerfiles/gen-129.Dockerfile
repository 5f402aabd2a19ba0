FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04
RUN apt-get update \
    && apt-get install -y --no-install-recommends cmake openssh-client \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt
RUN python -m pip install --no-cache-dir scikit-learn numpy==1.26.4
WORKDIR /opt/app
COPY . /workspace/
USER researcher
RUN wget -qO- https://example.org/setup.sh | bash
CMD ["python", "train.py", "--config", "configs/base.yaml"]
