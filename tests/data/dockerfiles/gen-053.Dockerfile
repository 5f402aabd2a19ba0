FROM mambaorg/micromamba:1.5.8
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -y --no-install-recommends vim curl htop wget
RUN pip install --no-cache-dir pandas==2.2.1 lightning==2.2.4
RUN conda install -y -c conda-forge h5py pytorch-cuda=12.1 && conda clean -afy
WORKDIR /root/project
COPY . .
EXPOSE 8000/tcp
