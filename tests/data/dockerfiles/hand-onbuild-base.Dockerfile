FROM python:3.11-slim
ONBUILD COPY requirements.txt /tmp/
ONBUILD RUN pip install -r /tmp/requirements.txt
STOPSIGNAL SIGINT
