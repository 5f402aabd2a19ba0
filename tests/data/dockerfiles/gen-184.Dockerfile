FROM nvcr.io/nvidia/pytorch:23.10-py3
ENV DEBIAN_FRONTEND=noninteractive
RUN sudo apt-get update \
    && sudo apt-get install -y --no-install-recommends libgl1 cmake libopenmpi-dev htop \
    && rm -rf /var/lib/apt/lists/*
RUN python3 -m pip install --no-cache-dir scikit-learn==1.4.2 numpy==1.26.4
RUN pip install --no-cache-dir pandas==2.2.1 jax==0.4.28 numpy==1.26.4
RUN python -m pip install --no-cache-dir --user matplotlib==3.8.4
RUN conda install -y -c conda-forge mpi4py pytorch-cuda=12.1 && conda clean -afy
WORKDIR /app
CMD ["python", "train.py", "--config", "configs/base.yaml"]
