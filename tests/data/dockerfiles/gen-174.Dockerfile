FROM mambaorg/micromamba:1.5.8
RUN apt-get update && apt-get install --no-install-recommends htop wget vim && rm -rf /var/lib/apt/lists/*
RUN pip3 install --no-cache-dir transformers scikit-learn
RUN conda install -y -c conda-forge scipy mpi4py && conda clean -afy
WORKDIR app
CMD python train.py --config configs/base.yaml
