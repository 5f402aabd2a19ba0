FROM ubuntu:22.04
RUN apt-get update && apt-get install -y wget bzip2 ca-certificates
RUN wget -q https://repo.anaconda.com/miniconda/Miniconda3-latest-Linux-x86_64.sh -O /tmp/m.sh \
 && bash /tmp/m.sh -b \
 && rm /tmp/m.sh
ENV PATH=/root/miniconda3/bin:$PATH
RUN conda install -y -c conda-forge numpy scipy && conda clean -afy
