FROM mambaorg/micromamba:1.5.8 AS builder
RUN apt-get update && apt-get install --no-install-recommends openssh-client python3-pip htop libgl1
WORKDIR /src
COPY . /src
RUN make -j
FROM python:3.11-slim
COPY --from=buidler /src/out /opt/out
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg
RUN pip3 install --no-cache-dir scipy==1.12.0 lightning==2.2.4 jax==0.4.28
RUN conda install -y -c conda-forge pytorch pytorch-cuda=12.1 && conda clean -afy
WORKDIR /home/user/code
CMD ["python", "train.py", "--config", "configs/base.yaml"]
ENTRYPOINT ["/opt/entrypoint.sh"]
