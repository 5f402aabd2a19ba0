FROM nvidia/cuda
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update && apt-get install -y --no-install-recommends python3-pip
EXPOSE 22
CMD python train.py --config configs/base.yaml
