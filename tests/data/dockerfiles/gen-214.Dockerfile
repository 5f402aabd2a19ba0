FROM ubuntu
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m pip install --no-cache-dir -r /tmp/requirements.txt
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install --no-cache-dir -r /tmp/requirements.txt
WORKDIR /opt/app
ENV HF_HOME=/opt/hf
ARG GITHUB_TOKEN
RUN cd /opt && git clone https://github.com/example/repo.git
CMD python train.py --config configs/base.yaml
