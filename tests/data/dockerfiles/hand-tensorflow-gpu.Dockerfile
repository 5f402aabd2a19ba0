FROM tensorflow/tensorflow:2.15.0-gpu
RUN pip install --no-cache-dir tensorflow-datasets==4.9.4 keras-cv
COPY train.py /opt/train.py
CMD ["python", "/opt/train.py"]
