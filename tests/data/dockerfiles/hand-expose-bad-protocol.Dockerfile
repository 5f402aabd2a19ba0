FROM ubuntu:22.04
RUN apt-get update && apt-get install -y curl
EXPOSE 8080/http
RUN sudo make install
