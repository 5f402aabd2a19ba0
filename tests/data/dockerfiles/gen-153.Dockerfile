FROM nvcr.io/nvidia/pytorch:23.10-py3
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -y --no-install-recommends openssh-client curl
RUN pip install einops==0.8.0 pandas numpy
COPY . /opt/app/
ARG WANDB_API_KEY
CMD ["python", "train.py", "--config", "configs/base.yaml"]
