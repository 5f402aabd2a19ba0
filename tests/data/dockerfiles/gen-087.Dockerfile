# syntax=docker/dockerfile:1
ARG CUDA=12.4.1
FROM nvidia/cuda:${CUDA}-cudnn-devel-ubuntu22.04
RUN echo "built for CUDA ${CUDA}" > /opt/cuda-version.txt
RUN conda install -y -c conda-forge mpi4py numpy
WORKDIR app
USER 1000
EXPOSE 6006
CMD ["python", "train.py", "--config", "configs/base.yaml"]
