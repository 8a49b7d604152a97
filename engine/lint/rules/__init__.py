"""One lint rule per module. A module's rule id is its file name with `_` read as `-`; modules in
`phasegate/` get ids starting `phasegate/`. Each exposes `check(model, report)` and `DESCRIPTION`.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def load_rules() -> dict:
    """Rule id → rule module, for every rule module in this package."""
    rules = {}
    for prefix, folder in (("", HERE), ("phasegate/", HERE / "phasegate")):
        package = __name__ + ("." + prefix.rstrip("/") if prefix else "")
        for info in sorted(pkgutil.iter_modules([str(folder)]), key=lambda i: i.name):
            if info.ispkg:
                continue
            module = importlib.import_module(f"{package}.{info.name}")
            rules[prefix + info.name.replace("_", "-")] = module
    return rules
