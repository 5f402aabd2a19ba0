FROM ubuntu
ENV DEBIAN_FRONTEND=noninteractive
RUN pip3 install scikit-learn numpy torch==2.3.0 torchvision --index-url https://download.pytorch.org/whl/cu121
RUN pip install einops==0.8.0 scikit-learn==1.4.2 jax==0.4.28 pandas==2.2.1
RUN python -m pip install --no-cache-dir --user scikit-learn==1.4.2 transformers==4.41.0 pandas==2.2.1 scipy==1.12.0
COPY . /workspace/
EXPOSE 22
CMD python train.py --config configs/base.yaml
ENTRYPOINT ["/opt/entrypoint.sh"]
