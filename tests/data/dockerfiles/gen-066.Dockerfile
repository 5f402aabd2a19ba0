FROM rockylinux:9
RUN apt-get update \
    && apt-get install --no-install-recommends python3-pip openssh-client
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m pip install -r /tmp/requirements.txt
RUN pip3 install --no-cache-dir numpy==1.26.4
COPY . /root/app/
USER nobody
