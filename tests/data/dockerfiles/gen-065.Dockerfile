FROM continuumio/miniconda3:23.10.0-1 AS builder
RUN apt-get update && apt-get install -y wget libopenmpi-dev
WORKDIR /src
COPY . /src
RUN make -j
FROM ubuntu:22.04
COPY --from=builder /src/out /opt/out
RUN apt-get update
RUN apt-get install -y python3-pip curl libgl1 cmake
RUN python3 -m pip install transformers==4.41.0
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt
RUN conda install -y -c conda-forge scipy h5py
WORKDIR /root/project
COPY . /root/app/
EXPOSE 22
CMD ["python", "train.py", "--config", "configs/base.yaml"]
ENTRYPOINT ["/opt/entrypoint.sh"]
