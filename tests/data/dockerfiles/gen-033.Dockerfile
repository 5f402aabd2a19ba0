FROM continuumio/miniconda3:23.10.0-1
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update
RUN apt-get install -y --no-install-recommends htop git ffmpeg openssh-client
RUN python -m pip install --no-cache-dir --user scipy datasets==2.19.0
RUN python -m pip install torch lightning==2.2.4 einops==0.8.0 --index-url https://download.pytorch.org/whl/cu121
RUN conda install -y -c conda-forge h5py scipy && conda clean -afy
WORKDIR /opt/app
CMD python train.py --config configs/base.yaml
