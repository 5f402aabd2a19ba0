FROM python:3.11-slim
ENV DEBIAN_FRONTEND=noninteractive
RUN pip3 install accelerate
RUN python -m pip install numpy==1.26.4 matplotlib==3.8.4
RUN python3 -m pip install --no-cache-dir wandb==0.17.0 datasets==2.19.0 lightning==2.2.4 torch==2.3.0 --index-url https://download.pytorch.org/whl/cu121
RUN conda install -y -c conda-forge cudatoolkit=11.8 numpy
WORKDIR /home/user/code
COPY . /root/app/
