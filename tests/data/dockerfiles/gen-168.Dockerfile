FROM centos:7
ENV DEBIAN_FRONTEND=noninteractive
RUN yum install -y wget openmpi-devel python3-devel
RUN python3 -m pip install scikit-learn==1.4.2 einops==0.8.0 pandas==2.2.1
COPY requirements.txt /tmp/requirements.txt
RUN python -m pip install -r /tmp/requirements.txt
RUN pip3 install --no-cache-dir numpy==1.26.4 wandb==0.17.0 lightning==2.2.4
WORKDIR app
COPY . /root/app/
USER nobody
ENV WANDB_DIR=/tmp/wandb
