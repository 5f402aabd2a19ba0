FROM rockylinux:9
ENV DEBIAN_FRONTEND=noninteractive
RUN dnf install -y gcc git
COPY . /opt/app/
CMD ["python", "train.py", "--config", "configs/base.yaml"]
