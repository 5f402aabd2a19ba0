FROM python@sha256:0123456789abcdef
RUN python -m pip install --no-cache-dir lightning scikit-learn==1.4.2
RUN python3 -m pip install --no-cache-dir jax datasets scipy pandas
COPY . /opt/app/
EXPOSE 6006
CMD python train.py --config configs/base.yaml
