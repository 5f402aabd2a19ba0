FROM mambaorg/micromamba:1.5.8
RUN conda install -y -c conda-forge scipy h5py && conda clean -afy
COPY . /workspace/
EXPOSE 8000/tcp
ENV HF_HOME=/opt/hf
CMD python train.py --config configs/base.yaml
