"""Imports model.py (a second file of the project) and prints its arguments."""

import sys

import model

print(model.GREETING)
print("args", sys.argv[1:])
