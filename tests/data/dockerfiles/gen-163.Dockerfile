FROM condaforge/miniforge3
RUN pip install numpy==1.26.4 transformers==4.41.0 scipy==1.12.0
RUN python3 -m pip install --user jax==0.4.28 numpy transformers scipy
RUN pip3 install --no-cache-dir scikit-learn pandas==2.2.1 transformers==4.41.0 wandb
RUN conda install -y -c conda-forge numpy cudatoolkit=11.8 && conda clean -afy
WORKDIR /root/project
COPY . /workspace/
VOLUME /data
