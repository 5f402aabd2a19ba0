FROM python@sha256:0123456789abcdef
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -y --no-install-recommends htop wget cmake openssh-client \
    && rm -rf /var/lib/apt/lists/*
RUN python -m pip install --no-cache-dir --user einops transformers==4.41.0
COPY . /root/app/
CMD ["python", "train.py", "--config", "configs/base.yaml"]
