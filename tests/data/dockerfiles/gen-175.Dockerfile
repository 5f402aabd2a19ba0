FROM nvcr.io/nvidia/pytorch:23.10-py3
RUN apt-get update && apt-get install -y --no-install-recommends cmake openssh-client
RUN python -m pip install accelerate
WORKDIR app
ADD . .
