FROM fedora:40 AS builder
RUN apt-get update && apt-get install -y --no-install-recommends openssh-client libopenmpi-dev build-essential cmake && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM python:3.11-slim
COPY --from=buidler /src/out /opt/out
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN dnf install -y openmpi-devel gcc
COPY requirements.txt /tmp/requirements.txt
RUN python -m pip install --no-cache-dir -r /tmp/requirements.txt
COPY . /opt/app/
EXPOSE 8888
CMD python train.py --config configs/base.yaml
ENTRYPOINT ["/opt/entrypoint.sh"]
