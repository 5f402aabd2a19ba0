"""A small PyTorch-style training script that prints what it sees.

clusterls runs it in a container on a GPU node:
    clusterls run --partition gpu --gpus 1 --image docker://... examples/train.py --follow -- --epochs 3
It needs nothing but Python; when torch is in the image it uses it.
"""

import argparse
import os
import platform
import random
import socket
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--lr", type=float, default=0.1)
    args = parser.parse_args()

    print(f"host: {socket.gethostname()}")
    print(f"python: {platform.python_version()} ({sys.executable})")
    print(f"CUDA_VISIBLE_DEVICES={os.environ.get('CUDA_VISIBLE_DEVICES', '')}")
    print(f"slurm job: {os.environ.get('SLURM_JOB_ID', '-')} on partition {os.environ.get('SLURM_JOB_PARTITION', '-')}")
    print(f"working directory: {os.getcwd()}")
    try:
        import torch  # noqa: F401

        print(f"torch: {torch.__version__}, cuda available: {torch.cuda.is_available()}")
    except ImportError:
        print("torch: not installed in this image (a fake model is trained instead)")

    # A fake model: fit w in y = 3x by gradient descent.
    rng = random.Random(0)
    w = 0.0
    for epoch in range(1, args.epochs + 1):
        loss = 0.0
        for _ in range(args.steps):
            x = rng.uniform(-1, 1)
            err = w * x - 3 * x
            loss += err * err
            w -= args.lr * 2 * err * x
            time.sleep(0.05)
        print(f"epoch {epoch}/{args.epochs} loss {loss / args.steps:.4f} w {w:.3f}", flush=True)
    print("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
