FROM rockylinux:9
ENV DEBIAN_FRONTEND=noninteractive
RUN dnf install git wget make && dnf clean all
WORKDIR app
EXPOSE 8000/tcp
RUN cd /opt && git clone https://github.com/example/repo.git
CMD python train.py --config configs/base.yaml
