FROM condaforge/miniforge3 AS builder
RUN apt update \
    && apt install -y --no-install-recommends cmake \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM ubuntu:22.04
COPY --from=builder /src/out /opt/out
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl git \
    && rm -rf /var/lib/apt/lists/*
RUN python3 -m pip install --no-cache-dir matplotlib==3.8.4 datasets==2.19.0 torchvision==0.18.0 transformers==4.41.0
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt
RUN pip install --no-cache-dir numpy==1.26.4 scikit-learn==1.4.2
RUN conda install -y -c conda-forge mpi4py cudatoolkit=11.8 && conda clean -afy
WORKDIR app
ADD . .
ENV MPLCONFIGDIR=/tmp/mpl
RUN cd /opt && git clone https://github.com/example/repo.git
CMD ["python", "train.py", "--config", "configs/base.yaml"]
