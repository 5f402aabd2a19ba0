FROM ubuntu
RUN apt-get update && apt-get install -y wget curl libgl1
RUN python3 -m pip install --no-cache-dir scikit-learn==1.4.2 transformers==4.41.0 matplotlib==3.8.4
RUN python3 -m pip install jax==0.4.28 torchvision==0.18.0 transformers==4.41.0
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install -r /tmp/requirements.txt
WORKDIR /root/project
COPY . .
USER researcher
VOLUME /data
CMD ["python", "train.py", "--config", "configs/base.yaml"]
