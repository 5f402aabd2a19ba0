FROM debian:bookworm-slim
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m pip install --no-cache-dir -r /tmp/requirements.txt
RUN pip3 install --no-cache-dir scikit-learn==1.4.2 transformers==4.41.0
RUN conda install -y -c conda-forge numpy scipy && conda clean -afy
WORKDIR /workspace
ADD . /root/app/
USER 1000
ENV HF_HOME=/opt/hf
