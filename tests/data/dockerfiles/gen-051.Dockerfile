FROM debian:bookworm-slim
RUN python -m pip install --no-cache-dir torchvision==0.18.0 accelerate==0.30.1 datasets==2.19.0 wandb==0.17.0
RUN python -m pip install datasets==2.19.0
RUN pip install --no-cache-dir pandas einops accelerate==0.30.1
WORKDIR /home/user/code
USER nobody
ENV TORCH_HOME=/opt/torch
CMD python train.py --config configs/base.yaml
