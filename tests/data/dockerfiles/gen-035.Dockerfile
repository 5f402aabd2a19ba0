FROM mambaorg/micromamba:1.5.8
RUN python3 -m pip install matplotlib torch lightning wandb
RUN pip install --no-cache-dir transformers==4.41.0
RUN pip install --no-cache-dir matplotlib numpy
RUN conda install -y -c conda-forge numpy h5py && conda clean -afy
WORKDIR /root/project
RUN wget -qO- https://example.org/setup.sh | bash
