FROM python:3.11-slim
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update && apt-get install -y --no-install-recommends curl ffmpeg htop libgl1 && rm -rf /var/lib/apt/lists/*
RUN python -m pip install --no-cache-dir --user scipy
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m pip install --no-cache-dir -r /tmp/requirements.txt
WORKDIR /workspace
ADD . /opt/app/
EXPOSE 22
CMD ["python", "train.py", "--config", "configs/base.yaml"]
