# syntax=docker/dockerfile:1
FROM mambaorg/micromamba:1.5.8
RUN apt-get update && apt-get install --no-install-recommends cmake curl libopenmpi-dev build-essential && rm -rf /var/lib/apt/lists/*
RUN conda install -y -c conda-forge pytorch numpy && conda clean -afy
WORKDIR /opt/app
USER researcher
CMD ["python", "train.py", "--config", "configs/base.yaml"]
