"""Runs long enough for the tracker to see it running (scenario 20: the start notification)."""

import time

print("started", flush=True)
time.sleep(15)
print("done", flush=True)
