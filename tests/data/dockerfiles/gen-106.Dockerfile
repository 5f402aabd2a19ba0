FROM rockylinux:9
ENV DEBIAN_FRONTEND=noninteractive
RUN dnf install -y gcc git openmpi-devel
WORKDIR /root/project
