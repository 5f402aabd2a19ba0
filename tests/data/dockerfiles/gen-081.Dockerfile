FROM pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime
RUN apt-get update \
    && apt-get install -qq --no-install-recommends openssh-client vim \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
