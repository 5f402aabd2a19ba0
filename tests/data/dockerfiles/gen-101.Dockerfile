FROM python@sha256:0123456789abcdef
RUN apt-get update && apt-get install -y --no-install-recommends git vim libopenmpi-dev wget && rm -rf /var/lib/apt/lists/*
RUN python -m pip install --no-cache-dir lightning==2.2.4 pandas==2.2.1 einops==0.8.0 datasets==2.19.0
RUN pip install datasets
WORKDIR /home/user/code
USER researcher
ARG PYTHON_VERSION=3.11
CMD ["python", "train.py", "--config", "configs/base.yaml"]
