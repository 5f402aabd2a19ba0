FROM mambaorg/micromamba:1.5.8
RUN apt-get update
RUN apt-get install -qq --no-install-recommends build-essential
RUN python -m pip install --no-cache-dir torch==2.3.0
RUN conda install -y -c conda-forge scipy pytorch-cuda=12.1
COPY . /opt/app/
USER nobody
CMD ["python", "train.py", "--config", "configs/base.yaml"]
ENTRYPOINT ["/opt/entrypoint.sh"]
