FROM nvidia/cuda
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
RUN python -m pip install --no-cache-dir scipy==1.12.0 torch==2.3.0 lightning==2.2.4 scikit-learn==1.4.2
RUN pip3 install --no-cache-dir matplotlib==3.8.4 transformers==4.41.0 datasets==2.19.0 wandb==0.17.0
RUN python3 -m pip install numpy scipy==1.12.0 torch
COPY . /opt/app/
USER 1000
EXPOSE 22
ENV WANDB_DIR=/tmp/wandb
ENTRYPOINT ["/opt/entrypoint.sh"]
