MAINTAINER lab <lab@example.edu>
FROM fedora:40
RUN dnf install -y make openmpi-devel && dnf clean all
RUN pip3 install accelerate==0.30.1 datasets==2.19.0 lightning==2.2.4 matplotlib==3.8.4
WORKDIR /workspace
ADD . /root/app/
USER 1000
