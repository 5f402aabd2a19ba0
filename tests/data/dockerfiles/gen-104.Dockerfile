FROM centos:7 AS builder
RUN apt-get update && apt-get install -y --no-install-recommends openssh-client
WORKDIR /src
COPY . /src
RUN make -j
FROM python:3.11-slim
COPY --from=builder /src/out /opt/out
ENV DEBIAN_FRONTEND=noninteractive
RUN yum install gcc && yum clean all
RUN pip install jax==0.4.28
RUN python3 -m pip install einops matplotlib accelerate pandas
WORKDIR /home/user/code
ARG WANDB_API_KEY
