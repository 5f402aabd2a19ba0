FROM rockylinux:9
RUN dnf install -y wget && dnf clean all
RUN python -m pip install --no-cache-dir pandas==2.2.1 torch==2.3.0 einops==0.8.0 lightning
RUN python -m pip install --user torchvision
WORKDIR /app
USER researcher
EXPOSE 8000/tcp
ENV TORCH_HOME=/opt/torch
RUN cd /opt && git clone https://github.com/example/repo.git
CMD ["python", "train.py", "--config", "configs/base.yaml"]
