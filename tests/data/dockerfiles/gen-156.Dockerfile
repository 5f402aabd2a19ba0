FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl openssh-client vim
RUN pip install pandas==2.2.1 numpy==1.26.4 matplotlib==3.8.4 einops==0.8.0
RUN python3 -m pip install jax==0.4.28 lightning==2.2.4
WORKDIR /home/user/code
USER 1000
ARG WANDB_API_KEY
RUN cd /opt && git clone https://github.com/example/repo.git
ENTRYPOINT ["/opt/entrypoint.sh"]
