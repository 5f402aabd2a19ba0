MAINTAINER lab <lab@example.edu>
FROM rockylinux:8
RUN yum install -y make openmpi-devel python3-devel && yum clean all
RUN python -m pip install lightning==2.2.4 torchvision==0.18.0
RUN conda install -y -c conda-forge mpi4py pytorch-cuda=12.1 && conda clean -afy
WORKDIR /opt/app
ADD . /root/app/
USER researcher
