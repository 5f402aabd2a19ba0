# syntax=docker/dockerfile:1.7
FROM ubuntu:24.04
RUN <<EOF
apt-get update
apt-get install -y --no-install-recommends python3 python3-venv
rm -rf /var/lib/apt/lists/*
EOF
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH PYTHONNOUSERSITE=1
COPY <<EOF /opt/venv/requirements.txt
numpy==1.26.4
pandas==2.2.1
EOF
RUN pip install --no-cache-dir -r /opt/venv/requirements.txt
