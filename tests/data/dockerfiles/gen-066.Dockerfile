FROM condaforge/miniforge3
RUN sudo apt-get update && sudo apt-get install -y libgl1 python3-pip vim && rm -rf /var/lib/apt/lists/*
RUN conda install -y -c conda-forge numpy mpi4py
WORKDIR /opt/app
ADD . .
ENV TORCH_HOME=/opt/torch
CMD ["python", "train.py", "--config", "configs/base.yaml"]
