MAINTAINER lab <lab@example.edu>
FROM alpine:3.19
ENV DEBIAN_FRONTEND=noninteractive
RUN apk add curl
WORKDIR app
COPY . /opt/app/
USER researcher
RUN cd /opt && git clone https://github.com/example/repo.git
CMD ["python", "train.py", "--config", "configs/base.yaml"]
