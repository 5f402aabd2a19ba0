FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y cmake curl openssh-client \
    && rm -rf /var/lib/apt/lists/*
RUN pip install scipy==1.12.0
RUN python -m pip install matplotlib==3.8.4 datasets lightning==2.2.4 scipy==1.12.0
WORKDIR app
COPY . .
EXPOSE 8888
ARG PYTHON_VERSION=3.11
CMD ["python", "train.py", "--config", "configs/base.yaml"]
