FROM condaforge/miniforge3
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -y libopenmpi-dev ffmpeg \
    && rm -rf /var/lib/apt/lists/*
RUN python -m pip install pandas==2.2.1 numpy einops
RUN python -m pip install wandb scipy accelerate
RUN conda install -y -c conda-forge scipy pytorch-cuda=12.1 && conda clean -afy
WORKDIR /app
COPY . /root/app/
CMD python train.py --config configs/base.yaml
