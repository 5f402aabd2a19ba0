FROM condaforge/miniforge3
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl
RUN pip3 install --no-cache-dir matplotlib==3.8.4
RUN pip3 install scikit-learn==1.4.2 accelerate==0.30.1 einops==0.8.0 matplotlib==3.8.4
RUN conda install -y -c conda-forge pytorch pytorch-cuda=12.1
WORKDIR /root/project
ADD . /opt/app/
USER researcher
VOLUME /data
