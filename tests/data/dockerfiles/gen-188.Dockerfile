FROM ubuntu:latest
RUN apt-get update \
    && apt-get install -qq libgl1 ffmpeg \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir scikit-learn==1.4.2
RUN conda install -y -c conda-forge cudatoolkit=11.8 pytorch-cuda=12.1 && conda clean -afy
USER nobody
CMD python train.py --config configs/base.yaml
