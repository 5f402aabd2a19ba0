FROM continuumio/miniconda3:23.10.0-1
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update
RUN apt-get install --no-install-recommends cmake htop curl
RUN pip install torchvision==0.18.0 wandb==0.17.0
RUN python -m pip install --no-cache-dir scikit-learn==1.4.2 matplotlib==3.8.4 datasets==2.19.0
RUN conda install -y -c conda-forge mpi4py pytorch
WORKDIR /app
RUN wget -qO- https://example.org/setup.sh | bash
