FROM rockylinux:9
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl
COPY . .
CMD python train.py --config configs/base.yaml
