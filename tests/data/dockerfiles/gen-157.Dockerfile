FROM python:3.11-slim
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update
RUN apt-get install -y --no-install-recommends curl build-essential
WORKDIR /app
COPY . /root/app/
VOLUME /data
CMD ["python", "train.py", "--config", "configs/base.yaml"]
