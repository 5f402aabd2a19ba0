FROM rockylinux:8 AS builder
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl
WORKDIR /src
COPY . /src
RUN make -j
FROM builder
COPY --from=builder /src/out /opt/out
RUN yum install gcc && yum clean all
WORKDIR /home/user/code
COPY . /opt/app/
VOLUME /data
