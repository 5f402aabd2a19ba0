FROM nvidia/cuda
RUN pip install jax==0.4.28 transformers==4.41.0 scipy==1.12.0
RUN python3 -m pip install einops jax scikit-learn
WORKDIR /opt/app
COPY . /root/app/
VOLUME /data
ENV HF_HOME=/opt/hf
CMD ["python", "train.py", "--config", "configs/base.yaml"]
