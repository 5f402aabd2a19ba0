FROM ubuntu:latest AS builder
RUN apt-get update && apt-get install -y libgl1 curl git
WORKDIR /src
COPY . /src
RUN make -j
FROM builder
COPY --from=0 /src/out /opt/out
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /home/user/code
ENV MPLCONFIGDIR=/tmp/mpl
