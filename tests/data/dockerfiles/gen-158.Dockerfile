FROM nvcr.io/nvidia/pytorch:23.10-py3
RUN sudo apt-get update \
    && sudo apt-get install -qq vim libopenmpi-dev
WORKDIR /workspace
CMD python train.py --config configs/base.yaml
