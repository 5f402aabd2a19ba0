MAINTAINER lab <lab@example.edu>
FROM condaforge/miniforge3
RUN apt-get update && apt-get install -y --no-install-recommends openssh-client
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install --no-cache-dir -r /tmp/requirements.txt
RUN pip3 install transformers
RUN pip3 install datasets==2.19.0 scipy==1.12.0 pandas==2.2.1 torch==2.3.0 --index-url https://download.pytorch.org/whl/cu124
RUN conda install -y -c conda-forge numpy scipy && conda clean -afy
WORKDIR /root/project
COPY . /workspace/
ARG WANDB_API_KEY
CMD python train.py --config configs/base.yaml
CMD ["bash"]
