FROM rockylinux:9 AS builder
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3-pip git libgl1 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM builder
COPY --from=builder /src/out /opt/out
RUN apt-get update \
    && apt-get install --no-install-recommends ffmpeg \
    && rm -rf /var/lib/apt/lists/*
RUN python3 -m pip install lightning==2.2.4 matplotlib==3.8.4
RUN python3 -m pip install --no-cache-dir torchvision==0.18.0
WORKDIR /root/project
USER nobody
RUN cd /opt && git clone https://github.com/example/repo.git
CMD ["python", "train.py", "--config", "configs/base.yaml"]
