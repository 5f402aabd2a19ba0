FROM python:3.11-slim AS builder
RUN apt-get update \
    && apt-get install -y --no-install-recommends vim build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM python:3.11-slim
COPY --from=builder /src/out /opt/out
RUN apt-get update \
    && apt-get install ffmpeg
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt
RUN python3 -m pip install pandas transformers
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m pip install --no-cache-dir -r /tmp/requirements.txt
WORKDIR app
COPY . /root/app/
EXPOSE 8888
CMD ["python", "train.py", "--config", "configs/base.yaml"]
