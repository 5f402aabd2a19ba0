FROM rockylinux:9
RUN apt-get update && apt-get install -y --no-install-recommends openssh-client build-essential && rm -rf /var/lib/apt/lists/*
WORKDIR app
COPY . /workspace/
RUN cd /opt && git clone https://github.com/example/repo.git
