import os

print("E2E_GREETING=" + os.environ.get("E2E_GREETING", "<unset>"))
print("built.txt: " + open("/built.txt").read().strip())
