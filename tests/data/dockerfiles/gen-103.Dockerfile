FROM fedora:40
RUN dnf install -y git python3-devel openmpi-devel && dnf clean all
WORKDIR /workspace
COPY . /workspace/
EXPOSE 6006
VOLUME /data
