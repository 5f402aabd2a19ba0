# syntax=docker/dockerfile:1
FROM condaforge/miniforge3
RUN apt-get update \
    && apt-get install -y --no-install-recommends libopenmpi-dev \
    && rm -rf /var/lib/apt/lists/*
RUN pip3 install --no-cache-dir --user datasets==2.19.0 lightning==2.2.4 wandb accelerate
RUN python -m pip install --no-cache-dir transformers==4.41.0 jax==0.4.28 einops==0.8.0 scipy==1.12.0
RUN conda install -y -c conda-forge pytorch h5py && conda clean -afy
WORKDIR /home/user/code
COPY . /opt/app/
USER 1000
CMD python train.py --config configs/base.yaml
