FROM python:3.10
RUN apt-get update && apt-get install -qq --no-install-recommends openssh-client
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install --no-cache-dir -r /tmp/requirements.txt
COPY requirements.txt /tmp/requirements.txt
RUN python -m pip install --no-cache-dir -r /tmp/requirements.txt
WORKDIR /root/project
COPY . /workspace/
ENV MPLCONFIGDIR=/tmp/mpl
ARG GITHUB_TOKEN
RUN wget -qO- https://example.org/setup.sh | bash
CMD python train.py --config configs/base.yaml
