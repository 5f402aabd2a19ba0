FROM centos:7
ENV DEBIAN_FRONTEND=noninteractive
RUN yum install -y git && yum clean all
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt
RUN pip3 install --no-cache-dir accelerate wandb==0.17.0 transformers
RUN python3 -m pip install pandas==2.2.1
WORKDIR /workspace
COPY . /opt/app/
USER researcher
ARG GITHUB_TOKEN
CMD python train.py --config configs/base.yaml
