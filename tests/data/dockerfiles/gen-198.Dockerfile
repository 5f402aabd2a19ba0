FROM nvidia/cuda
RUN apt-get update
RUN apt-get install -y --no-install-recommends curl build-essential cmake openssh-client
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt
RUN python3 -m pip install --no-cache-dir scipy==1.12.0 datasets==2.19.0 numpy==1.26.4
RUN conda install -y -c conda-forge cudatoolkit=11.8 numpy && conda clean -afy
WORKDIR /workspace
COPY . /root/app/
VOLUME /data
CMD ["python", "train.py", "--config", "configs/base.yaml"]
