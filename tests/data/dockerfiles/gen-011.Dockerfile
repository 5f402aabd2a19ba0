FROM nvcr.io/nvidia/pytorch:23.10-py3
RUN apt-get update && apt-get install -y cmake vim wget
RUN pip install pandas
RUN python3 -m pip install lightning transformers==4.41.0 torch matplotlib
RUN python -m pip install einops scipy==1.12.0 torchvision
WORKDIR app
COPY . /workspace/
EXPOSE 8000/tcp
ENV HF_HOME=/opt/hf
CMD python train.py --config configs/base.yaml
