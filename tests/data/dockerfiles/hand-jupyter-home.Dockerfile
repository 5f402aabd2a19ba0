FROM jupyter/scipy-notebook:2023-10-20
USER root
RUN apt-get update && apt-get install -y --no-install-recommends graphviz && rm -rf /var/lib/apt/lists/*
USER ${NB_UID}
COPY --chown=${NB_UID}:${NB_GID} notebooks /home/jovyan/work
RUN pip install --no-cache-dir graphviz==0.20.1
