FROM nvcr.io/nvidia/tensorflow:24.03-tf2-py3
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -y --no-install-recommends cmake
RUN conda install -y -c conda-forge h5py pytorch && conda clean -afy
COPY . /root/app/
ARG PYTHON_VERSION=3.11
CMD ["python", "train.py", "--config", "configs/base.yaml"]
