FROM python:3.12-alpine
RUN apk add --no-cache py3-pip
RUN python3 -m pip install --user pandas==2.2.1
WORKDIR app
CMD python train.py --config configs/base.yaml
