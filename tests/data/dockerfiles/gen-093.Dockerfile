FROM nvcr.io/nvidia/tensorflow:24.03-tf2-py3
RUN python -m pip install --no-cache-dir numpy datasets==2.19.0 jax
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m pip install -r /tmp/requirements.txt
RUN pip3 install --no-cache-dir datasets==2.19.0
WORKDIR /home/user/code
CMD ["bash"]
