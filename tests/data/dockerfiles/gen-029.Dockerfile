FROM rockylinux:9
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg
RUN python3 -m pip install --no-cache-dir einops wandb jax==0.4.28 torch --index-url https://download.pytorch.org/whl/cu121
RUN pip3 install --no-cache-dir matplotlib==3.8.4 pandas==2.2.1 lightning==2.2.4
RUN python3 -m pip install --no-cache-dir scikit-learn==1.4.2 einops==0.8.0 jax==0.4.28 lightning==2.2.4
WORKDIR /opt/app
COPY . /root/app/
USER 1000
CMD python train.py --config configs/base.yaml
ENTRYPOINT ["/opt/entrypoint.sh"]
