MAINTAINER lab <lab@example.edu>
FROM nvidia/cuda
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN pip3 install --no-cache-dir numpy==1.26.4
RUN pip3 install --user pandas datasets wandb
RUN python3 -m pip install --no-cache-dir einops==0.8.0
WORKDIR /app
COPY . .
USER researcher
RUN cd /opt && git clone https://github.com/example/repo.git
CMD ["python", "train.py", "--config", "configs/base.yaml"]
