FROM pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime
RUN apt-get update \
    && apt-get install --no-install-recommends libopenmpi-dev libgl1 openssh-client wget \
    && rm -rf /var/lib/apt/lists/*
RUN python3 -m pip install --no-cache-dir jax==0.4.28 einops matplotlib==3.8.4 transformers
RUN pip install --no-cache-dir jax transformers
WORKDIR /workspace
COPY . /opt/app/
VOLUME /data
ENV WANDB_DIR=/tmp/wandb
CMD python train.py --config configs/base.yaml
ENTRYPOINT ["/opt/entrypoint.sh"]
