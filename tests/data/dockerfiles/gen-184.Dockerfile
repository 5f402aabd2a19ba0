FROM alpine:3.19
RUN apk add --no-cache py3-pip git bash
RUN pip3 install --no-cache-dir torch==2.3.0 matplotlib==3.8.4 transformers==4.41.0 jax==0.4.28 --index-url https://download.pytorch.org/whl/cu121
RUN pip3 install --no-cache-dir scikit-learn==1.4.2 transformers==4.41.0 einops==0.8.0 wandb==0.17.0
RUN python -m pip install scipy==1.12.0 matplotlib==3.8.4
WORKDIR /workspace
COPY . /workspace/
