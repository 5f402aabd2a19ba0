FROM mambaorg/micromamba:1.5.8
RUN conda install -y -c conda-forge cudatoolkit=11.8 mpi4py && conda clean -afy
WORKDIR /workspace
COPY . /opt/app/
USER nobody
CMD python train.py --config configs/base.yaml
