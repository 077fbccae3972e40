"""The event catalog: importing this package registers every contract.

Every module in this folder is imported here, so a new event is one new file beside these
(docs/adding-an-event.md); no list of modules needs editing.
"""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
