FROM python:3.11-slim
RUN apt-get update \
    && apt-get install -qq openssh-client libgl1 \
    && rm -rf /var/lib/apt/lists/*
RUN conda install -y -c conda-forge pytorch scipy && conda clean -afy
WORKDIR /opt/app
COPY . /opt/app/
USER nobody
VOLUME /data
CMD python train.py --config configs/base.yaml
