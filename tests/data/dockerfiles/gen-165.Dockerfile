FROM ubuntu
RUN apt-get update && apt-get install -y python3-pip vim
RUN pip install jax==0.4.28 accelerate==0.30.1 scikit-learn==1.4.2 numpy==1.26.4
RUN python -m pip install --no-cache-dir jax==0.4.28 datasets==2.19.0 pandas==2.2.1 numpy==1.26.4
WORKDIR /home/user/code
