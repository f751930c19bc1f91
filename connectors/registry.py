"""Every connector, found by its declaration (``<folder>/connector.py``, see ``connectors.connector``).

Adding a source is adding its folder: the CLI, the settings, remap and the docs test read this table.
"""

import importlib.util
import pkgutil

import payoff.connectors as package
from payoff.connectors.connector import Connector, Remap


def _declared() -> dict[str, Connector]:
    found = {}
    for folder in pkgutil.iter_modules(package.__path__):
        if folder.ispkg and importlib.util.find_spec(f"{package.__name__}.{folder.name}.connector"):
            connector = importlib.import_module(f"{package.__name__}.{folder.name}.connector").CONNECTOR
            found[connector.name] = connector
    return dict(sorted(found.items()))


CONNECTORS: dict[str, Connector] = _declared()
MAPPINGS: dict[str, Remap] = {name: connector.remap for name, connector in CONNECTORS.items()}
