FROM alpine:3.19
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apk add py3-pip
RUN pip3 install --no-cache-dir pandas==2.2.1 jax==0.4.28 lightning==2.2.4 scikit-learn==1.4.2
RUN python3 -m pip install --no-cache-dir torch==2.3.0 wandb --index-url https://download.pytorch.org/whl/cu124
RUN pip install --no-cache-dir lightning==2.2.4 transformers==4.41.0 einops==0.8.0
WORKDIR /home/user/code
ADD . .
