FROM condaforge/miniforge3
RUN apt-get update \
    && apt-get install -y build-essential wget \
    && rm -rf /var/lib/apt/lists/*
RUN conda install -y -c conda-forge cudatoolkit=11.8 pytorch && conda clean -afy
COPY . .
EXPOSE 6006
CMD ["python", "train.py", "--config", "configs/base.yaml"]
