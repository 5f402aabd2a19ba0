FROM centos:7
RUN yum install wget
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt
WORKDIR /home/user/code
COPY . /opt/app/
CMD ["python", "train.py", "--config", "configs/base.yaml"]
