FROM ubuntu:22.04 AS builder
RUN apt-get update
RUN apt-get install -qq htop
WORKDIR /src
COPY . /src
RUN make -j
FROM builder
COPY --from=builder /src/out /opt/out
RUN pip3 install lightning torch==2.3.0
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install --no-cache-dir -r /tmp/requirements.txt
RUN python -m pip install transformers==4.41.0 scikit-learn==1.4.2 pandas==2.2.1
WORKDIR app
ADD . /workspace/
VOLUME /data
