FROM python:3.12-alpine
RUN apk add --no-cache bash git curl
RUN pip install transformers==4.41.0 wandb==0.17.0 jax==0.4.28 scipy
RUN python3 -m pip install --no-cache-dir transformers lightning==2.2.4
RUN python3 -m pip install scipy
WORKDIR /workspace
COPY . /workspace/
USER nobody
EXPOSE 22
