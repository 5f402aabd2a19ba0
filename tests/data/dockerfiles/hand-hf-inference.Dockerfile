FROM python:3.11-slim
ARG HF_TOKEN
ENV HUGGING_FACE_HUB_TOKEN=$HF_TOKEN
RUN pip install --no-cache-dir torch==2.3.0 --index-url https://download.pytorch.org/whl/cu121
RUN pip install --no-cache-dir transformers==4.41.0 fastapi uvicorn
COPY app /app
WORKDIR /app
USER nobody
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD curl -f http://localhost:8000/health || exit 1
ENTRYPOINT ["uvicorn", "server:app", "--host", "0.0.0.0"]
