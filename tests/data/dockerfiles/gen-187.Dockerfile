FROM condaforge/miniforge3
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt update \
    && apt install -y libgl1
RUN conda install -y -c conda-forge cudatoolkit=11.8 h5py
WORKDIR /opt/app
CMD ["python", "train.py", "--config", "configs/base.yaml"]
