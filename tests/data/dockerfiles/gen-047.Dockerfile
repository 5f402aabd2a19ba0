FROM continuumio/miniconda3:23.10.0-1
RUN apt update && apt install -y --no-install-recommends vim git openssh-client libgl1
RUN python3 -m pip install torch jax --index-url https://download.pytorch.org/whl/cu118
RUN conda install -y -c conda-forge h5py scipy && conda clean -afy
WORKDIR /app
COPY . /root/app/
EXPOSE 8888
CMD python train.py --config configs/base.yaml
