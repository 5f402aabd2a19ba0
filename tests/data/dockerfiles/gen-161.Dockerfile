FROM python:3.10
RUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*
RUN pip3 install datasets==2.19.0
RUN pip3 install --no-cache-dir scikit-learn==1.4.2 lightning
WORKDIR /opt/app
ADD . .
USER nobody
EXPOSE 8888
CMD python train.py --config configs/base.yaml
