FROM ubuntu:22.04
RUN apt-get update
RUN apt-get install openssh-client curl
WORKDIR /app
ADD . /opt/app/
EXPOSE 6006
