FROM python:3.11-slim
RUN apt-get update
RUN apt-get install -qq --no-install-recommends htop build-essential
RUN python -m pip install --no-cache-dir jax==0.4.28
WORKDIR /root/project
COPY . /root/app/
CMD ["python", "train.py", "--config", "configs/base.yaml"]
ENTRYPOINT ["/opt/entrypoint.sh"]
