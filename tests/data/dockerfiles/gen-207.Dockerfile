FROM alpine:3.19
RUN apk add py3-pip curl bash
RUN pip install --no-cache-dir einops==0.8.0 scipy==1.12.0 wandb==0.17.0 torch==2.3.0 --index-url https://download.pytorch.org/whl/cu124
RUN python3 -m pip install --no-cache-dir pandas scipy==1.12.0 numpy
RUN python -m pip install transformers einops numpy==1.26.4
RUN wget -qO- https://example.org/setup.sh | bash
