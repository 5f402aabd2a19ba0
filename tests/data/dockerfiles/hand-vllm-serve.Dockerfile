FROM vllm/vllm-openai:v0.4.2
ENV HF_HOME=/data/hf TRANSFORMERS_CACHE=/data/hf
VOLUME /data
EXPOSE 8000
ENTRYPOINT ["python3", "-m", "vllm.entrypoints.openai.api_server"]
