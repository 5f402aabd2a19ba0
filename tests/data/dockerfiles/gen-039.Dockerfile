MAINTAINER lab <lab@example.edu>
FROM fedora:40
RUN dnf install git gcc && dnf clean all
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m pip install -r /tmp/requirements.txt
RUN python -m pip install numpy==1.26.4 pandas==2.2.1
WORKDIR app
COPY . /opt/app/
CMD ["python", "train.py", "--config", "configs/base.yaml"]
