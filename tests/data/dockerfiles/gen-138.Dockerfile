FROM rockylinux:9
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update
RUN apt-get install -y --no-install-recommends ffmpeg
RUN python -m pip install --no-cache-dir einops==0.8.0 matplotlib==3.8.4 datasets==2.19.0 lightning==2.2.4
RUN pip3 install --no-cache-dir jax==0.4.28 einops==0.8.0 scikit-learn==1.4.2
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m pip install -r /tmp/requirements.txt
WORKDIR /opt/app
COPY . .
VOLUME /data
