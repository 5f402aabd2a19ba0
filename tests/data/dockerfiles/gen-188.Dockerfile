FROM python:3.10
RUN python3 -m pip install --no-cache-dir torch scikit-learn==1.4.2 lightning jax --index-url https://download.pytorch.org/whl/cu121
RUN pip3 install --no-cache-dir torch==2.3.0 jax==0.4.28 matplotlib==3.8.4 transformers==4.41.0 --index-url https://download.pytorch.org/whl/cu124
COPY requirements.txt /tmp/requirements.txt
RUN python -m pip install -r /tmp/requirements.txt
WORKDIR /app
COPY . .
EXPOSE 6006
VOLUME /data
ENTRYPOINT ["/opt/entrypoint.sh"]
