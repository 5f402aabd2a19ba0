FROM mambaorg/micromamba:1.5.8 AS builder
RUN apt-get update && apt-get install -y --no-install-recommends curl
WORKDIR /src
COPY . /src
RUN make -j
FROM ubuntu:22.04
COPY --from=builder /src/out /opt/out
RUN pip3 install scikit-learn==1.4.2 datasets==2.19.0
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m pip install -r /tmp/requirements.txt
RUN pip install --no-cache-dir wandb scikit-learn
RUN conda install -y -c conda-forge pytorch cudatoolkit=11.8
WORKDIR app
COPY . /opt/app/
CMD ["python", "train.py", "--config", "configs/base.yaml"]
