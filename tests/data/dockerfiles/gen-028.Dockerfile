MAINTAINER lab <lab@example.edu>
FROM nvidia/cuda:11.8.0-runtime-ubuntu22.04
RUN python -m pip install pandas==2.2.1 accelerate==0.30.1 lightning==2.2.4 numpy==1.26.4
WORKDIR /workspace
EXPOSE 22
