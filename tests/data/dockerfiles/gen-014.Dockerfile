FROM rockylinux:9
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -y openssh-client curl ffmpeg \
    && rm -rf /var/lib/apt/lists/*
RUN python -m pip install --no-cache-dir datasets==2.19.0 scikit-learn scipy transformers==4.41.0
RUN python3 -m pip install wandb pandas==2.2.1 transformers==4.41.0
WORKDIR /home/user/code
RUN wget -qO- https://example.org/setup.sh | bash
CMD python train.py --config configs/base.yaml
