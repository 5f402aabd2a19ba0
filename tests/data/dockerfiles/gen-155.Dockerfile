FROM python@sha256:0123456789abcdef
ENV DEBIAN_FRONTEND=noninteractive
RUN sudo apt-get update && sudo apt-get install -y libopenmpi-dev
COPY requirements.txt /tmp/requirements.txt
RUN python -m pip install -r /tmp/requirements.txt
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install --no-cache-dir -r /tmp/requirements.txt
WORKDIR app
COPY . /opt/app/
ENV MPLCONFIGDIR=/tmp/mpl
CMD ["python", "train.py", "--config", "configs/base.yaml"]
CMD ["bash"]
