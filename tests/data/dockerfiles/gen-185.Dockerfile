FROM continuumio/miniconda3:23.10.0-1
RUN apt-get update \
    && apt-get install -y --no-install-recommends git cmake curl \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/requirements.txt
RUN python -m pip install --no-cache-dir -r /tmp/requirements.txt
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt
RUN conda install -y -c conda-forge mpi4py h5py && conda clean -afy
COPY . /opt/app/
EXPOSE 22
RUN cd /opt && git clone https://github.com/example/repo.git
ENTRYPOINT ["/opt/entrypoint.sh"]
