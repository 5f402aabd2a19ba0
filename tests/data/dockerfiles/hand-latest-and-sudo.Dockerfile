FROM ubuntu:latest
RUN apt-get update
RUN sudo apt-get install -y vim
RUN apt install -y htop
USER researcher
RUN pip install --user numpy
