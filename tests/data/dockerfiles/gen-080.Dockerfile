FROM ubuntu:latest AS builder
RUN apt-get update && apt-get install --no-install-recommends vim curl build-essential && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM ubuntu:22.04
COPY --from=0 /src/out /opt/out
RUN pip3 install --no-cache-dir accelerate==0.30.1 matplotlib
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m pip install --no-cache-dir -r /tmp/requirements.txt
WORKDIR /root/project
COPY . /opt/app/
USER nobody
CMD ["python", "train.py", "--config", "configs/base.yaml"]
