FROM ubuntu:20.04
ENV DEBIAN_FRONTEND noninteractive
RUN apt-get update -y && \
    apt-get install -y --no-install-recommends openmpi-bin libopenmpi-dev gfortran make && \
    apt-get clean && rm -rf /var/lib/apt/lists/*
ADD src /opt/src
RUN cd /opt/src && make -j4
ENV PATH /opt/src/bin:$PATH
