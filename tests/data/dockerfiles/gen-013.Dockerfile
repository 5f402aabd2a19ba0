FROM mambaorg/micromamba:1.5.8 AS builder
RUN apt-get update
RUN apt-get install -y python3-pip ffmpeg
WORKDIR /src
COPY . /src
RUN make -j
FROM builder
COPY --from=0 /src/out /opt/out
RUN apt-get update \
    && apt-get install -qq --no-install-recommends libgl1 vim
RUN conda install -y -c conda-forge scipy cudatoolkit=11.8
WORKDIR /root/project
COPY . /opt/app/
EXPOSE 22
CMD python train.py --config configs/base.yaml
