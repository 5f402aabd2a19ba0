MAINTAINER lab <lab@example.edu>
FROM ubuntu:22.04
RUN apt-get update
RUN apt-get install -y --no-install-recommends cmake git
RUN pip install pandas==2.2.1 torchvision==0.18.0 accelerate==0.30.1
RUN pip install --no-cache-dir torch==2.3.0 scikit-learn==1.4.2 --index-url https://download.pytorch.org/whl/cu124
RUN pip3 install scikit-learn
WORKDIR /opt/app
CMD ["python", "train.py", "--config", "configs/base.yaml"]
