FROM continuumio/miniconda3:23.10.0-1
RUN pip3 install transformers==4.41.0 scikit-learn==1.4.2 numpy==1.26.4
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install --no-cache-dir -r /tmp/requirements.txt
RUN conda install -y -c conda-forge cudatoolkit=11.8 h5py && conda clean -afy
WORKDIR /home/user/code
COPY . .
