ARG CUDA=11.8.0
FROM nvidia/cuda:${CUDA}-runtime-ubuntu22.04
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install --no-install-recommends htop wget cmake openssh-client
RUN echo "built for CUDA ${CUDA}" > /opt/cuda-version.txt
RUN conda install -y -c conda-forge numpy h5py && conda clean -afy
WORKDIR /workspace
RUN cd /opt && git clone https://github.com/example/repo.git
CMD ["python", "train.py", "--config", "configs/base.yaml"]
