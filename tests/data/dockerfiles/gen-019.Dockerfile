FROM pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime
RUN apt-get update && apt-get install -y --no-install-recommends wget python3-pip openssh-client libgl1
RUN python3 -m pip install --no-cache-dir jax lightning einops
RUN python3 -m pip install transformers==4.41.0
RUN python -m pip install --no-cache-dir transformers==4.41.0
WORKDIR /workspace
COPY . /root/app/
ARG GITHUB_TOKEN
CMD ["python", "train.py", "--config", "configs/base.yaml"]
ENTRYPOINT ["/opt/entrypoint.sh"]
