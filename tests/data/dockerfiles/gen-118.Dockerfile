FROM python:3.12-alpine
RUN apk add --no-cache git bash curl
RUN pip3 install --no-cache-dir torchvision==0.18.0 datasets==2.19.0 numpy==1.26.4 einops==0.8.0
USER 1000
ENV HF_HOME=/opt/hf
CMD python train.py --config configs/base.yaml
CMD ["bash"]
