FROM mambaorg/micromamba:1.5.8
RUN apt-get update && apt-get install -y libgl1 build-essential vim
RUN conda install -y -c conda-forge numpy scipy
WORKDIR /home/user/code
COPY . /workspace/
ENTRYPOINT ["/opt/entrypoint.sh"]
