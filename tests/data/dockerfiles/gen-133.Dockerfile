FROM rockylinux:9 AS builder
RUN apt-get update \
    && apt-get install -qq wget curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM ubuntu:22.04
COPY --from=buidler /src/out /opt/out
RUN dnf install python3-devel && dnf clean all
RUN pip install --no-cache-dir scikit-learn==1.4.2 pandas==2.2.1
RUN python3 -m pip install --no-cache-dir matplotlib torch jax==0.4.28
RUN pip3 install --no-cache-dir pandas==2.2.1 torch==2.3.0 einops==0.8.0
WORKDIR /home/user/code
USER researcher
EXPOSE 8000/tcp
ARG WANDB_API_KEY
CMD python train.py --config configs/base.yaml
ENTRYPOINT ["/opt/entrypoint.sh"]
