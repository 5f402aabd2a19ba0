FROM fedora:40
RUN dnf install -y git wget
RUN pip install --no-cache-dir jax==0.4.28 einops==0.8.0
WORKDIR /app
COPY . /workspace/
