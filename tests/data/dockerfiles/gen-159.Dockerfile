FROM continuumio/miniconda3:23.10.0-1
ENV DEBIAN_FRONTEND=noninteractive
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN pip install scipy transformers jax scikit-learn
RUN conda install -y -c conda-forge numpy pytorch
WORKDIR /app
COPY . /workspace/
