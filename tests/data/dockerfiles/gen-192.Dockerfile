FROM python:3.11-slim
ENV DEBIAN_FRONTEND=noninteractive
RUN python -m pip install --no-cache-dir numpy==1.26.4
RUN pip install lightning==2.2.4 transformers datasets==2.19.0
COPY . .
USER nobody
ARG GITHUB_TOKEN
CMD python train.py --config configs/base.yaml
