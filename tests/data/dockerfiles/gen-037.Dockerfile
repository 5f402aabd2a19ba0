FROM mambaorg/micromamba:1.5.8
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install --no-install-recommends libopenmpi-dev \
    && rm -rf /var/lib/apt/lists/*
RUN conda install -y -c conda-forge cudatoolkit=11.8 scipy && conda clean -afy
WORKDIR /root/project
USER researcher
RUN wget -qO- https://example.org/setup.sh | bash
CMD python train.py --config configs/base.yaml
