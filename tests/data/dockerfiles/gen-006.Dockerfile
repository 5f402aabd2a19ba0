FROM nvidia/cuda
RUN apt-get update \
    && apt-get install -y --no-install-recommends libopenmpi-dev
COPY requirements.txt /tmp/requirements.txt
RUN python -m pip install -r /tmp/requirements.txt
RUN python3 -m pip install --no-cache-dir --user matplotlib transformers==4.41.0
WORKDIR /root/project
COPY . /workspace/
RUN cd /opt && git clone https://github.com/example/repo.git
CMD ["python", "train.py", "--config", "configs/base.yaml"]
