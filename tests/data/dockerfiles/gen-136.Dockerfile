FROM nvcr.io/nvidia/tensorflow:24.03-tf2-py3
ENV DEBIAN_FRONTEND=noninteractive
RUN python -m pip install matplotlib transformers==4.41.0 torch==2.3.0 jax --index-url https://download.pytorch.org/whl/cu124
RUN pip3 install --no-cache-dir wandb==0.17.0 numpy==1.26.4 pandas==2.2.1 scikit-learn==1.4.2
WORKDIR /root/project
COPY . .
USER nobody
