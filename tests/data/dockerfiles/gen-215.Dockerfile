FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04 AS builder
RUN apt-get update
RUN apt-get install -y --no-install-recommends libopenmpi-dev python3-pip openssh-client cmake
WORKDIR /src
COPY . /src
RUN make -j
FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04
COPY --from=builder /src/out /opt/out
RUN python3 -m pip install --no-cache-dir lightning==2.2.4 wandb==0.17.0 scipy==1.12.0 scikit-learn==1.4.2
RUN pip3 install --user scipy==1.12.0 numpy==1.26.4 transformers==4.41.0 scikit-learn==1.4.2
COPY requirements.txt /tmp/requirements.txt
RUN python -m pip install --no-cache-dir -r /tmp/requirements.txt
WORKDIR app
COPY . /opt/app/
