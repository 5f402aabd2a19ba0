# syntax=docker/dockerfile:1
FROM mambaorg/micromamba:1.5.8
RUN apt-get update && apt-get install -y htop openssh-client && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/requirements.txt
RUN python -m pip install --no-cache-dir -r /tmp/requirements.txt
RUN conda install -y -c conda-forge scipy pytorch && conda clean -afy
WORKDIR /root/project
COPY . /opt/app/
USER researcher
CMD python train.py --config configs/base.yaml
