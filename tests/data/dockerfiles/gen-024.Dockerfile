FROM ubuntu:latest
RUN python -m pip install --no-cache-dir scikit-learn==1.4.2 einops==0.8.0 matplotlib==3.8.4
RUN python -m pip install --no-cache-dir transformers torchvision==0.18.0 lightning scikit-learn
WORKDIR app
COPY . /root/app/
CMD ["python", "train.py", "--config", "configs/base.yaml"]
