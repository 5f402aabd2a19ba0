FROM python:3.11-slim AS builder
RUN apt-get update \
    && apt-get install -qq --no-install-recommends htop git libgl1 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM builder
COPY --from=builder /src/out /opt/out
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y ffmpeg openssh-client
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m pip install --no-cache-dir -r /tmp/requirements.txt
RUN python -m pip install torchvision pandas einops==0.8.0
RUN conda install -y -c conda-forge h5py mpi4py && conda clean -afy
WORKDIR /root/project
ADD . /opt/app/
EXPOSE 8888
CMD python train.py --config configs/base.yaml
ENTRYPOINT ["/opt/entrypoint.sh"]
