FROM rockylinux:9
RUN apt update
RUN apt install -y --no-install-recommends python3-pip libopenmpi-dev wget build-essential
WORKDIR /workspace
COPY . .
ENV WANDB_DIR=/tmp/wandb
CMD ["python", "train.py", "--config", "configs/base.yaml"]
