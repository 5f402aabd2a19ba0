FROM python@sha256:0123456789abcdef
RUN apt-get update \
    && apt-get install -y python3-pip cmake vim
WORKDIR /workspace
COPY . .
RUN cd /opt && git clone https://github.com/example/repo.git
