FROM python:3.12-alpine
ENV DEBIAN_FRONTEND=noninteractive
RUN apk add bash
RUN python -m pip install --no-cache-dir datasets==2.19.0 wandb==0.17.0
RUN python -m pip install lightning==2.2.4 pandas==2.2.1
USER 1000
CMD python train.py --config configs/base.yaml
