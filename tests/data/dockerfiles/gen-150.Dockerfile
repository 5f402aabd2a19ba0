FROM nvidia/cuda AS builder
RUN apt update \
    && apt install build-essential wget
WORKDIR /src
COPY . /src
RUN make -j
FROM python:3.11-slim
COPY --from=builder /src/out /opt/out
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -qq --no-install-recommends libgl1
WORKDIR /home/user/code
RUN cd /opt && git clone https://github.com/example/repo.git
CMD python train.py --config configs/base.yaml
