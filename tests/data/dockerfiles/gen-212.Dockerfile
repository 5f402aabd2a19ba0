MAINTAINER lab <lab@example.edu>
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y python3-pip openssh-client && rm -rf /var/lib/apt/lists/*
RUN conda install -y -c conda-forge pytorch-cuda=12.1 h5py && conda clean -afy
WORKDIR /workspace
COPY . .
CMD python train.py --config configs/base.yaml
