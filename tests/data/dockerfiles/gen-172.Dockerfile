FROM ubuntu:22.04
ENV DEBIAN_FRONTEND=noninteractive
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update && apt-get install -y --no-install-recommends wget
RUN python -m pip install matplotlib pandas
COPY . /root/app/
EXPOSE 6006
CMD python train.py --config configs/base.yaml
