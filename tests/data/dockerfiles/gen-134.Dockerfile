FROM rockylinux:8
ENV DEBIAN_FRONTEND=noninteractive
RUN yum install -y openmpi-devel gcc && yum clean all
RUN python -m pip install --no-cache-dir numpy==1.26.4
RUN python3 -m pip install --no-cache-dir lightning
WORKDIR /home/user/code
COPY . /root/app/
USER researcher
CMD python train.py --config configs/base.yaml
