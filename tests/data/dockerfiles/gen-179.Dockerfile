FROM ubuntu:22.04 AS builder
RUN apt-get update
RUN apt-get install -y openssh-client build-essential vim git
WORKDIR /src
COPY . /src
RUN make -j
FROM builder
COPY --from=builder /src/out /opt/out
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*
RUN pip3 install scikit-learn==1.4.2 scipy==1.12.0
WORKDIR app
COPY . /root/app/
