FROM nvidia/cuda:11.8.0-runtime-ubuntu22.04
RUN python3 -m pip install accelerate wandb scikit-learn pandas
WORKDIR /app
COPY . /opt/app/
USER 1000
EXPOSE 22
VOLUME /data
ENV MPLCONFIGDIR=/tmp/mpl
RUN wget -qO- https://example.org/setup.sh | bash
CMD ["python", "train.py", "--config", "configs/base.yaml"]
ENTRYPOINT ["/opt/entrypoint.sh"]
