FROM ubuntu
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt
RUN pip install --no-cache-dir torch
RUN pip install --no-cache-dir torch==2.3.0 scikit-learn==1.4.2
WORKDIR /app
COPY . /opt/app/
ENV HF_HOME=/opt/hf
CMD ["python", "train.py", "--config", "configs/base.yaml"]
