# syntax=docker/dockerfile:1
FROM python:3.11-slim
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt
RUN python3 -m pip install --no-cache-dir datasets==2.19.0 lightning==2.2.4 scikit-learn==1.4.2
WORKDIR /root/project
ADD . .
CMD ["python", "train.py", "--config", "configs/base.yaml"]
