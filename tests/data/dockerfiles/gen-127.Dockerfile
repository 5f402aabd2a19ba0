FROM nvcr.io/nvidia/pytorch:23.10-py3
RUN sudo apt-get update \
    && sudo apt-get install -y vim ffmpeg
RUN pip3 install --no-cache-dir --user einops==0.8.0 pandas==2.2.1
WORKDIR /app
COPY . /opt/app/
ARG PYTHON_VERSION=3.11
CMD ["python", "train.py", "--config", "configs/base.yaml"]
