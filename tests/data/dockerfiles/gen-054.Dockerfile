FROM condaforge/miniforge3
RUN apt update \
    && apt install -y vim \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir scikit-learn==1.4.2 pandas==2.2.1 transformers==4.41.0
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt
RUN python3 -m pip install --no-cache-dir datasets==2.19.0
RUN conda install -y -c conda-forge numpy cudatoolkit=11.8
WORKDIR /app
COPY . /opt/app/
USER nobody
CMD python train.py --config configs/base.yaml
