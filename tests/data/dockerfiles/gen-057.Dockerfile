FROM mambaorg/micromamba:1.5.8
RUN apt-get update \
    && apt-get install -qq --no-install-recommends libgl1
RUN pip install --no-cache-dir --user numpy==1.26.4 matplotlib==3.8.4
RUN pip3 install --no-cache-dir lightning
RUN python -m pip install --user transformers==4.41.0 einops==0.8.0 torchvision==0.18.0
RUN conda install -y -c conda-forge h5py cudatoolkit=11.8 && conda clean -afy
WORKDIR app
COPY . /opt/app/
CMD ["python", "train.py", "--config", "configs/base.yaml"]
