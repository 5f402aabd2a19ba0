FROM nvidia/cuda
RUN apt-get update && apt-get install --no-install-recommends libopenmpi-dev vim python3-pip openssh-client && rm -rf /var/lib/apt/lists/*
RUN pip3 install torch==2.3.0 scipy==1.12.0 accelerate==0.30.1 --index-url https://download.pytorch.org/whl/cu118
RUN python -m pip install --no-cache-dir transformers wandb datasets
RUN python3 -m pip install datasets==2.19.0
WORKDIR /app
ENTRYPOINT ["/opt/entrypoint.sh"]
