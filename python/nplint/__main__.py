"""`python -m nplint ARGS...`: runs the `nplint` binary with the same arguments and exit status."""

import os
import sys

from nplint import find_nplint_bin


def main() -> None:
    nplint = os.fsdecode(find_nplint_bin())
    if sys.platform == "win32":
        import subprocess

        sys.exit(subprocess.run([nplint, *sys.argv[1:]]).returncode)
    os.execvp(nplint, [nplint, *sys.argv[1:]])


if __name__ == "__main__":
    main()
