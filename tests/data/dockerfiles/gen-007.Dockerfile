FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends wget \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install -r /tmp/requirements.txt
WORKDIR /app
COPY . /root/app/
ENV MPLCONFIGDIR=/tmp/mpl
CMD python train.py --config configs/base.yaml
