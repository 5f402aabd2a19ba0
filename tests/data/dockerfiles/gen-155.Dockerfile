FROM condaforge/miniforge3
ENV DEBIAN_FRONTEND=noninteractive
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN pip3 install numpy jax wandb
RUN pip install scipy==1.12.0
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install -r /tmp/requirements.txt
RUN conda install -y -c conda-forge numpy mpi4py
WORKDIR /app
USER nobody
CMD python train.py --config configs/base.yaml
ENTRYPOINT ["/opt/entrypoint.sh"]
