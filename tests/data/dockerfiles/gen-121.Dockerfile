FROM python@sha256:0123456789abcdef
RUN apt-get update && apt-get install -y build-essential cmake
WORKDIR app
COPY . .
CMD ["python", "train.py", "--config", "configs/base.yaml"]
