FROM nvidia/cuda AS builder
RUN apt-get update && apt-get install -y libgl1
WORKDIR /src
COPY . /src
RUN make -j
FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04
COPY --from=builder /src/out /opt/out
RUN python3 -m pip install --no-cache-dir jax transformers==4.41.0
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install -r /tmp/requirements.txt
RUN pip3 install --no-cache-dir torchvision==0.18.0 pandas==2.2.1
WORKDIR /root/project
