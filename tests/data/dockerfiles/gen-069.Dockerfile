FROM python@sha256:0123456789abcdef
RUN apt-get update && apt-get install -qq --no-install-recommends build-essential curl && rm -rf /var/lib/apt/lists/*
WORKDIR app
COPY . /workspace/
USER nobody
VOLUME /data
CMD ["python", "train.py", "--config", "configs/base.yaml"]
