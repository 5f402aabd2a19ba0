FROM condaforge/miniforge3 AS builder
RUN apt-get update
RUN apt-get install -y python3-pip wget
WORKDIR /src
COPY . /src
RUN make -j
FROM ubuntu:22.04
COPY --from=builder /src/out /opt/out
ENV DEBIAN_FRONTEND=noninteractive
RUN pip install scipy==1.12.0 pandas==2.2.1 matplotlib==3.8.4 lightning==2.2.4
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m pip install --no-cache-dir -r /tmp/requirements.txt
RUN conda install -y -c conda-forge scipy pytorch
WORKDIR /home/user/code
COPY . /opt/app/
