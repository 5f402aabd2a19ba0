FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04 AS builder
RUN apt-get update && apt-get install -y --no-install-recommends build-essential vim && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM builder
COPY --from=0 /src/out /opt/out
RUN apt-get update \
    && apt-get install build-essential openssh-client \
    && rm -rf /var/lib/apt/lists/*
RUN python -m pip install --no-cache-dir scikit-learn==1.4.2
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install --no-cache-dir -r /tmp/requirements.txt
RUN python3 -m pip install --no-cache-dir --user wandb==0.17.0 torch
WORKDIR /opt/app
RUN cd /opt && git clone https://github.com/example/repo.git
RUN wget -qO- https://example.org/setup.sh | bash
CMD ["python", "train.py", "--config", "configs/base.yaml"]
