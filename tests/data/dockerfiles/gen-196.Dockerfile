FROM nvidia/cuda
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y libgl1 wget && rm -rf /var/lib/apt/lists/*
RUN pip3 install transformers==4.41.0 scikit-learn==1.4.2 torchvision==0.18.0
WORKDIR /root/project
COPY . /root/app/
CMD ["python", "train.py", "--config", "configs/base.yaml"]
