"""nplint: checks Python environment files for NumPy incompatibilities, offline.

The package holds the `nplint` binary (installed as a script); `python -m nplint` runs it.
"""

import os
import sys
import sysconfig


def find_nplint_bin() -> str:
    """The path of the `nplint` binary this package installed."""
    exe = "nplint" + (sysconfig.get_config_var("EXE") or "")
    candidates = [os.path.join(sysconfig.get_path("scripts"), exe)]
    # `pip install --user`: the user scheme's scripts folder.
    if sys.version_info >= (3, 10):
        user_scheme = sysconfig.get_preferred_scheme("user")
    elif os.name == "nt":
        user_scheme = "nt_user"
    elif sys.platform == "darwin" and getattr(sys, "_framework", None):
        user_scheme = "osx_framework_user"
    else:
        user_scheme = "posix_user"
    candidates.append(os.path.join(sysconfig.get_path("scripts", scheme=user_scheme), exe))
    # `pip install --target DIR`: `DIR/bin` beside the package.
    candidates.append(os.path.join(os.path.dirname(os.path.dirname(__file__)), "bin", exe))
    for candidate in candidates:
        if os.path.isfile(candidate):
            return candidate
    raise FileNotFoundError(
        "the nplint binary is not where this package installs it; looked at: " + ", ".join(candidates)
    )
