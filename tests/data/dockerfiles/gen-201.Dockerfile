FROM rockylinux:8
RUN yum install -y make git
RUN pip install --no-cache-dir torchvision==0.18.0 jax transformers==4.41.0 wandb
RUN pip install --no-cache-dir jax
WORKDIR /home/user/code
VOLUME /data
