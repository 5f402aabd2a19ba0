FROM continuumio/miniconda3:23.10.0-1
RUN apt-get update && apt-get install -y git curl wget cmake
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install -r /tmp/requirements.txt
RUN conda install -y -c conda-forge scipy mpi4py && conda clean -afy
WORKDIR /app
VOLUME /data
ARG WANDB_API_KEY
CMD ["python", "train.py", "--config", "configs/base.yaml"]
