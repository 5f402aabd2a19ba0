FROM mambaorg/micromamba:1.5.8
RUN apt update \
    && apt install -y --no-install-recommends wget python3-pip git
RUN pip3 install datasets==2.19.0
RUN conda install -y -c conda-forge numpy cudatoolkit=11.8 && conda clean -afy
WORKDIR /app
COPY . /opt/app/
CMD python train.py --config configs/base.yaml
