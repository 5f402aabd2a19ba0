# syntax=docker/dockerfile:1
FROM mambaorg/micromamba:1.5.8
RUN apt-get update && apt-get install --no-install-recommends libopenmpi-dev && rm -rf /var/lib/apt/lists/*
RUN python3 -m pip install scikit-learn==1.4.2
RUN conda install -y -c conda-forge cudatoolkit=11.8 pytorch-cuda=12.1 && conda clean -afy
WORKDIR /home/user/code
COPY . /opt/app/
RUN wget -qO- https://example.org/setup.sh | bash
CMD ["python", "train.py", "--config", "configs/base.yaml"]
