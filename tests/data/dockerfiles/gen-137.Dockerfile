FROM continuumio/miniconda3:23.10.0-1
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y --no-install-recommends htop wget
RUN pip install --no-cache-dir torch==2.3.0 datasets==2.19.0 torchvision==0.18.0 --index-url https://download.pytorch.org/whl/cu124
RUN pip3 install --no-cache-dir matplotlib==3.8.4
RUN conda install -y -c conda-forge scipy cudatoolkit=11.8
WORKDIR /opt/app
COPY . /workspace/
USER 1000
