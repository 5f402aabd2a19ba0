FROM rockylinux:9
RUN dnf install python3-devel openmpi-devel && dnf clean all
RUN python -m pip install --no-cache-dir numpy==1.26.4 scikit-learn==1.4.2 einops==0.8.0
RUN pip3 install torchvision==0.18.0 datasets==2.19.0 numpy==1.26.4
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install --no-cache-dir -r /tmp/requirements.txt
WORKDIR /home/user/code
COPY . /root/app/
ARG GITHUB_TOKEN
CMD ["python", "train.py", "--config", "configs/base.yaml"]
