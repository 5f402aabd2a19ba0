FROM nvidia/cuda
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update
RUN apt-get install -y htop python3-pip build-essential
RUN pip3 install scikit-learn==1.4.2 torch==2.3.0 transformers numpy --index-url https://download.pytorch.org/whl/cu118
RUN pip3 install einops jax torchvision
RUN python -m pip install numpy torchvision datasets
