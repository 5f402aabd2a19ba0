FROM python:3.10-slim
COPY run.py /opt/run.py
ENTRYPOINT ['python', '/opt/run.py']
CMD ["--help"]
CMD ["--epochs", "3"]
