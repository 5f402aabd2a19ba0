"""Writes twice, some seconds apart: the editor's log document grows in between."""

import time

print("first line", flush=True)
time.sleep(20)
print("second line", flush=True)
