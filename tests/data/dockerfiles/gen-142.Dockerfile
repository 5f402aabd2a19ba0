FROM python@sha256:0123456789abcdef
ENV DEBIAN_FRONTEND=noninteractive
RUN sudo apt update && sudo apt install -y curl
RUN python3 -m pip install pandas==2.2.1 matplotlib lightning wandb
WORKDIR /home/user/code
COPY . .
ARG PYTHON_VERSION=3.11
CMD python train.py --config configs/base.yaml
