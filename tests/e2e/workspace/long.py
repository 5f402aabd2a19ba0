"""A long job, for cancelling."""

import time

print("long job started", flush=True)
time.sleep(600)
print("long job finished")
