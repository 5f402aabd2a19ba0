# syntax=docker/dockerfile:1
FROM mambaorg/micromamba:1.5.8
RUN apt update && apt install -y --no-install-recommends curl build-essential libopenmpi-dev
RUN pip3 install --no-cache-dir accelerate==0.30.1 torch==2.3.0 scipy==1.12.0 --index-url https://download.pytorch.org/whl/cu118
RUN python3 -m pip install --no-cache-dir accelerate==0.30.1 lightning==2.2.4
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install --no-cache-dir -r /tmp/requirements.txt
RUN conda install -y -c conda-forge mpi4py scipy
WORKDIR /app
EXPOSE 6006
