FROM fedora:40 AS builder
RUN apt-get update
RUN apt-get install -qq --no-install-recommends libgl1 ffmpeg
WORKDIR /src
COPY . /src
RUN make -j
FROM python:3.11-slim
COPY --from=builder /src/out /opt/out
RUN dnf install -y gcc wget python3-devel
WORKDIR /workspace
COPY . /workspace/
RUN wget -qO- https://example.org/setup.sh | bash
CMD ["python", "train.py", "--config", "configs/base.yaml"]
