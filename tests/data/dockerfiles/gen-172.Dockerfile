FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04
ENV DEBIAN_FRONTEND=noninteractive
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update \
    && apt-get install -y --no-install-recommends openssh-client htop wget cmake
RUN pip install --no-cache-dir --user accelerate==0.30.1 pandas
COPY . /root/app/
CMD python train.py --config configs/base.yaml
ENTRYPOINT ["/opt/entrypoint.sh"]
