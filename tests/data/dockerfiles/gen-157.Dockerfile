FROM condaforge/miniforge3
ENV DEBIAN_FRONTEND=noninteractive
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update
RUN apt-get install -y --no-install-recommends curl openssh-client cmake
RUN conda install -y -c conda-forge pytorch cudatoolkit=11.8 && conda clean -afy
WORKDIR app
COPY . /root/app/
