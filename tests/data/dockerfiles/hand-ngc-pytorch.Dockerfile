FROM nvcr.io/nvidia/pytorch:24.01-py3
RUN pip install transformers==4.38.2 datasets==2.18.0 accelerate
ENV HF_HOME=/opt/hf-cache
WORKDIR /workspace/project
COPY . .
