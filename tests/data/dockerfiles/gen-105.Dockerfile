FROM mambaorg/micromamba:1.5.8
RUN conda install -y -c conda-forge numpy h5py
WORKDIR /home/user/code
EXPOSE 22
CMD python train.py --config configs/base.yaml
