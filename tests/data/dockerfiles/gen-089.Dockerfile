FROM python:3.10
RUN python3 -m pip install --no-cache-dir numpy==1.26.4 accelerate==0.30.1
RUN python -m pip install --no-cache-dir torch==2.3.0 matplotlib==3.8.4 einops==0.8.0 lightning==2.2.4 --index-url https://download.pytorch.org/whl/cu118
RUN pip install torch datasets numpy==1.26.4 --index-url https://download.pytorch.org/whl/cu124
WORKDIR /app
USER researcher
EXPOSE 8888
CMD ["python", "train.py", "--config", "configs/base.yaml"]
ENTRYPOINT ["/opt/entrypoint.sh"]
