FROM condaforge/miniforge3
RUN apt-get update \
    && apt-get install -qq --no-install-recommends wget build-essential
RUN conda install -y -c conda-forge pytorch-cuda=12.1 mpi4py
WORKDIR /app
COPY . /root/app/
CMD python train.py --config configs/base.yaml
