FROM condaforge/miniforge3
RUN sudo apt-get update \
    && sudo apt-get install -y --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir scipy==1.12.0 wandb einops
RUN pip install --no-cache-dir lightning
RUN conda install -y -c conda-forge pytorch-cuda=12.1 h5py && conda clean -afy
EXPOSE 8000/tcp
CMD python train.py --config configs/base.yaml
