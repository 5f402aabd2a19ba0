FROM nvcr.io/nvidia/tensorflow:24.03-tf2-py3
RUN python -m pip install --no-cache-dir wandb==0.17.0
WORKDIR /opt/app
COPY . /opt/app/
RUN cd /opt && git clone https://github.com/example/repo.git
RUN wget -qO- https://example.org/setup.sh | bash
