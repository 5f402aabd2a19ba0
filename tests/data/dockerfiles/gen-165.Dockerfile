FROM ubuntu:latest
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y curl git python3-pip cmake
RUN python -m pip install scipy==1.12.0
RUN pip install jax==0.4.28 torch==2.3.0
RUN python -m pip install --no-cache-dir wandb==0.17.0 lightning scipy
WORKDIR /workspace
COPY . /root/app/
USER researcher
EXPOSE 22
ENTRYPOINT ["/opt/entrypoint.sh"]
