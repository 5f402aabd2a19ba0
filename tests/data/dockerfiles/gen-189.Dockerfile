# syntax=docker/dockerfile:1
FROM debian:bookworm-slim
RUN conda install -y -c conda-forge cudatoolkit=11.8 mpi4py && conda clean -afy
WORKDIR /home/user/code
COPY . /opt/app/
ENV MPLCONFIGDIR=/tmp/mpl
RUN wget -qO- https://example.org/setup.sh | bash
CMD python train.py --config configs/base.yaml
