FROM continuumio/miniconda3:23.10.0-1 AS builder
RUN apt-get update \
    && apt-get install -y --no-install-recommends libopenmpi-dev
WORKDIR /src
COPY . /src
RUN make -j
FROM builder
COPY --from=builder /src/out /opt/out
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg curl python3-pip openssh-client && rm -rf /var/lib/apt/lists/*
RUN conda install -y -c conda-forge cudatoolkit=11.8 pytorch
CMD python train.py --config configs/base.yaml
CMD ["bash"]
