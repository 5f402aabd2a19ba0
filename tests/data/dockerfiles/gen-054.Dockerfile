FROM rockylinux:8
RUN yum install -y openmpi-devel gcc && yum clean all
RUN pip install --no-cache-dir jax==0.4.28
WORKDIR /root/project
CMD ["python", "train.py", "--config", "configs/base.yaml"]
