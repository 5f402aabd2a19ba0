FROM ubuntu
RUN apt-get update && apt-get install -y python3-pip build-essential libopenmpi-dev ffmpeg
RUN python3 -m pip install --no-cache-dir numpy==1.26.4 accelerate==0.30.1 scipy==1.12.0
RUN pip3 install --no-cache-dir wandb==0.17.0 numpy==1.26.4 pandas==2.2.1 scikit-learn==1.4.2
WORKDIR /root/project
COPY . .
USER nobody
