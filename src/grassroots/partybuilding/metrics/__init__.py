"""The party-building metrics for the assessment (``common.metrics``), one module per area;
every module here is imported by ``autodiscover``."""

from __future__ import annotations

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
