FROM python:3.10
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -qq python3-pip cmake
RUN python3 -m pip install --no-cache-dir transformers accelerate pandas
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m pip install -r /tmp/requirements.txt
RUN python -m pip install torch==2.3.0
WORKDIR /home/user/code
COPY . /workspace/
VOLUME /data
CMD ["bash"]
