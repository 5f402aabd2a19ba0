FROM rockylinux:8 AS builder
RUN apt-get update \
    && apt-get install -y libopenmpi-dev cmake build-essential libgl1
WORKDIR /src
COPY . /src
RUN make -j
FROM python:3.11-slim
COPY --from=builder /src/out /opt/out
RUN yum install -y make openmpi-devel python3-devel && yum clean all
RUN pip install einops torch==2.3.0 --index-url https://download.pytorch.org/whl/cu118
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install --no-cache-dir -r /tmp/requirements.txt
RUN pip3 install --no-cache-dir scikit-learn==1.4.2
WORKDIR /opt/app
COPY . /workspace/
USER researcher
CMD python train.py --config configs/base.yaml
