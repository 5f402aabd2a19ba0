ARG CUDA=12.1.1
FROM nvidia/cuda:${CUDA}-cudnn8-runtime-ubuntu22.04
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential
RUN python3 -m pip install lightning pandas numpy==1.26.4
RUN pip install --no-cache-dir --user numpy==1.26.4 einops==0.8.0 jax==0.4.28
RUN python -m pip install lightning==2.2.4 scikit-learn jax==0.4.28 accelerate
WORKDIR /root/project
USER researcher
VOLUME /data
ENTRYPOINT ["/opt/entrypoint.sh"]
