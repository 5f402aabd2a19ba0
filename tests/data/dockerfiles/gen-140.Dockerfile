FROM alpine:3.19
ENV DEBIAN_FRONTEND=noninteractive
RUN apk add --no-cache curl
RUN pip install torchvision==0.18.0 torch einops --index-url https://download.pytorch.org/whl/cu121
RUN python -m pip install einops==0.8.0 torch==2.3.0 --index-url https://download.pytorch.org/whl/cu118
WORKDIR app
COPY . /root/app/
CMD python train.py --config configs/base.yaml
