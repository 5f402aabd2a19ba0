FROM debian:bookworm-slim
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y vim curl build-essential openssh-client
WORKDIR /workspace
COPY . /workspace/
VOLUME /data
CMD ["python", "train.py", "--config", "configs/base.yaml"]
