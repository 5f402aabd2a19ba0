FROM nvidia/cuda:11.8.0-runtime-ubuntu22.04
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update
RUN apt-get install -y --no-install-recommends python3-pip openssh-client htop libopenmpi-dev
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt
USER nobody
CMD python train.py --config configs/base.yaml
ENTRYPOINT ["/opt/entrypoint.sh"]
