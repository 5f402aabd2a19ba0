FROM continuumio/miniconda3
MAINTAINER Research Computing <rc@example.edu>
COPY environment.yml /tmp/environment.yml
RUN conda env create -f /tmp/environment.yml
RUN echo "conda activate myenv" >> ~/.bashrc
SHELL ["conda", "run", "-n", "myenv", "/bin/bash", "-c"]
EXPOSE 8888
CMD jupyter lab --ip=0.0.0.0 --allow-root
