FROM debian:bookworm-slim
RUN apt-get update
RUN apt-get install htop
RUN pip3 install --no-cache-dir torchvision datasets==2.19.0 lightning
RUN pip3 install --no-cache-dir wandb==0.17.0
RUN pip3 install --no-cache-dir torch==2.3.0 transformers==4.41.0 matplotlib wandb --index-url https://download.pytorch.org/whl/cu124
COPY . .
CMD ["python", "train.py", "--config", "configs/base.yaml"]
