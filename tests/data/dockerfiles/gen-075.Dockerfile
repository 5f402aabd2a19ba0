# syntax=docker/dockerfile:1
FROM nvcr.io/nvidia/pytorch:23.10-py3
RUN apt-get update \
    && apt-get install -y curl vim
RUN python -m pip install jax==0.4.28
RUN python3 -m pip install accelerate==0.30.1 transformers==4.41.0 numpy==1.26.4 torch==2.3.0
WORKDIR /opt/app
COPY . /opt/app/
EXPOSE 8000/tcp
CMD python train.py --config configs/base.yaml
ENTRYPOINT ["/opt/entrypoint.sh"]
