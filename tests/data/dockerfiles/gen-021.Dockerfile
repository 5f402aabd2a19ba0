FROM rockylinux:8
RUN yum install -y openmpi-devel && yum clean all
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m pip install -r /tmp/requirements.txt
WORKDIR /opt/app
