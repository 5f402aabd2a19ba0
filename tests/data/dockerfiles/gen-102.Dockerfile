MAINTAINER lab <lab@example.edu>
FROM nvidia/cuda
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y --no-install-recommends libopenmpi-dev curl openssh-client ffmpeg
COPY requirements.txt /tmp/requirements.txt
RUN python -m pip install -r /tmp/requirements.txt
WORKDIR app
USER nobody
RUN cd /opt && git clone https://github.com/example/repo.git
