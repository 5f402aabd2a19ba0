FROM mambaorg/micromamba:1.5.8
RUN apt-get update && apt-get install --no-install-recommends vim
RUN python -m pip install wandb einops datasets torchvision==0.18.0
RUN pip3 install --no-cache-dir torch==2.3.0 transformers==4.41.0 accelerate==0.30.1 wandb==0.17.0
RUN pip install --no-cache-dir scikit-learn scipy==1.12.0
RUN conda install -y -c conda-forge cudatoolkit=11.8 pytorch-cuda=12.1 && conda clean -afy
WORKDIR app
CMD ["python", "train.py", "--config", "configs/base.yaml"]
