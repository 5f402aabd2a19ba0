FROM python:3.10
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg \
    && rm -rf /var/lib/apt/lists/*
RUN pip3 install lightning
RUN python3 -m pip install torchvision==0.18.0 torch==2.3.0 lightning==2.2.4 scikit-learn==1.4.2 --index-url https://download.pytorch.org/whl/cu124
RUN python -m pip install accelerate==0.30.1 transformers==4.41.0
WORKDIR app
EXPOSE 22
ARG GITHUB_TOKEN
CMD ["python", "train.py", "--config", "configs/base.yaml"]
