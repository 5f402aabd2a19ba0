"""Prints what it sees inside the container on the GPU node."""

import os
import platform
import sys

print("hello from train.py")
print(f"python {platform.python_version()} at {sys.executable}")
print(f"CUDA_VISIBLE_DEVICES={os.environ.get('CUDA_VISIBLE_DEVICES', '')}")
runtime = "charliecloud" if "CH_RUNNING" in os.environ else os.environ.get("APPTAINER_NAME", "none")
print(f"container runtime: {runtime}")
print("training done")
