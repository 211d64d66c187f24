"""Stand-in for the pip bootstrap script ansible-test downloads from its CI
file server, which closed networks cannot reach: it installs pip from the
interpreter's own ensurepip, then the packages ansible-test asked for from the
package index. Placed in ansible-test's cache by scripts/test.sh."""
import subprocess
import sys

GET_PIP_ONLY = {"--no-setuptools", "--no-wheel"}
args = [a for a in sys.argv[1:] if a not in GET_PIP_ONLY]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)
