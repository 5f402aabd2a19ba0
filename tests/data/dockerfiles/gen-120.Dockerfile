FROM ubuntu
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt
RUN pip3 install jax einops
WORKDIR /opt/app
COPY . /root/app/
CMD python train.py --config configs/base.yaml
