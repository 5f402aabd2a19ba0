FROM nvidia/cuda
RUN apt-get update \
    && apt-get install -y curl
RUN pip3 install transformers
WORKDIR /home/user/code
ADD . /workspace/
RUN cd /opt && git clone https://github.com/example/repo.git
ENTRYPOINT ["/opt/entrypoint.sh"]
