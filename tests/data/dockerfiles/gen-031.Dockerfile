FROM pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime AS builder
RUN apt-get update \
    && apt-get install -y --no-install-recommends htop cmake \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM builder
COPY --from=0 /src/out /opt/out
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update \
    && apt-get install -qq wget build-essential vim
RUN pip install einops==0.8.0
RUN pip install scipy==1.12.0 matplotlib==3.8.4 torch==2.3.0 jax==0.4.28 --index-url https://download.pytorch.org/whl/cu118
RUN python -m pip install --no-cache-dir lightning==2.2.4 matplotlib==3.8.4 pandas==2.2.1
COPY . /opt/app/
EXPOSE 6006
RUN wget -qO- https://example.org/setup.sh | bash
CMD ["python", "train.py", "--config", "configs/base.yaml"]
ENTRYPOINT ["/opt/entrypoint.sh"]
