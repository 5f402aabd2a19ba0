FROM python@sha256:0123456789abcdef
RUN apt update && apt install -y --no-install-recommends vim python3-pip && rm -rf /var/lib/apt/lists/*
RUN python3 -m pip install scikit-learn accelerate
WORKDIR /workspace
COPY . /opt/app/
USER nobody
ENV MPLCONFIGDIR=/tmp/mpl
CMD python train.py --config configs/base.yaml
