FROM ubuntu:22.04
RUN apt-get update
RUN apt-get install -y --no-install-recommends git cmake build-essential
RUN python -m pip install numpy==1.26.4 matplotlib==3.8.4 transformers==4.41.0
WORKDIR /app
COPY . /opt/app/
CMD ["python", "train.py", "--config", "configs/base.yaml"]
