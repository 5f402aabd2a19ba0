FROM nvidia/cuda:11.8.0-runtime-ubuntu22.04
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install --no-install-recommends htop wget cmake openssh-client
RUN python -m pip install --no-cache-dir numpy==1.26.4
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt
WORKDIR app
ADD . /opt/app/
EXPOSE 22
RUN wget -qO- https://example.org/setup.sh | bash
