FROM python:3.12-alpine
ENV DEBIAN_FRONTEND=noninteractive
RUN apk add curl git bash
RUN pip3 install --no-cache-dir matplotlib==3.8.4 accelerate==0.30.1
COPY . .
USER 1000
CMD ["python", "train.py", "--config", "configs/base.yaml"]
