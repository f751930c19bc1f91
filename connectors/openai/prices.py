"""What OpenAI tokens cost, per model: the usage API has no per-user cost, so Payoff estimates it.

Prices are US dollars per million tokens (OpenAI's published list prices for standard processing,
late 2026); ``cached_input`` applies to ``input_cached_tokens``, which are part of ``input_tokens``.
A model matches the longest key it starts with (``gpt-4o-2024-08-06`` -> ``gpt-4o``). Override or
extend the table with ``payoff sync openai --prices FILE`` (same JSON shape); the table a sync used is
stored with each day's raw payload, so ``payoff remap`` reproduces the same costs.
"""

import json
from pathlib import Path

from payoff.connectors.sync import SourceError

DEFAULT_PRICES: dict[str, dict[str, float]] = {
    "gpt-5": {"input": 1.25, "cached_input": 0.125, "output": 10.00},
    "gpt-5-mini": {"input": 0.25, "cached_input": 0.025, "output": 2.00},
    "gpt-5-nano": {"input": 0.05, "cached_input": 0.005, "output": 0.40},
    "gpt-4.1": {"input": 2.00, "cached_input": 0.50, "output": 8.00},
    "gpt-4.1-mini": {"input": 0.40, "cached_input": 0.10, "output": 1.60},
    "gpt-4.1-nano": {"input": 0.10, "cached_input": 0.025, "output": 0.40},
    "gpt-4o": {"input": 2.50, "cached_input": 1.25, "output": 10.00},
    "gpt-4o-mini": {"input": 0.15, "cached_input": 0.075, "output": 0.60},
    "o3": {"input": 2.00, "cached_input": 0.50, "output": 8.00},
    "o4-mini": {"input": 1.10, "cached_input": 0.275, "output": 4.40},
    "o1": {"input": 15.00, "cached_input": 7.50, "output": 60.00},
}


def price_for(model: str | None, prices: dict[str, dict[str, float]]) -> dict[str, float] | None:
    """The entry of the longest model name that ``model`` starts with; None when nothing matches."""
    matches = [name for name in prices if model and model.startswith(name)]
    return prices[max(matches, key=len)] if matches else None


def cost_usd(price: dict[str, float], *, input_tokens: int, cached_tokens: int, output_tokens: int) -> float:
    fresh = input_tokens - cached_tokens
    per_million = (
        fresh * price["input"]
        + cached_tokens * price.get("cached_input", price["input"])
        + output_tokens * price["output"]
    )
    return per_million / 1_000_000


def read_prices(path: Path) -> dict[str, dict[str, float]]:
    """The default table overridden by a JSON file ``{"model": {"input": .., "output": .., "cached_input": ..}}``."""
    try:
        table = json.loads(path.read_text())
    except OSError as error:
        raise SourceError(f"cannot read the price table {path}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise SourceError(f"{path}, line {error.lineno}, column {error.colno}: {error.msg}") from None
    problems = [
        name
        for name, price in (table.items() if isinstance(table, dict) else [])
        if not (isinstance(price, dict) and all(isinstance(price.get(k), (int, float)) for k in ("input", "output")))
    ]
    if not isinstance(table, dict) or problems:
        raise SourceError(
            f"{path}: each model needs numeric 'input' and 'output' prices (US$ per million tokens); "
            f"check {', '.join(problems) or 'the top level, which must be an object'}"
        )
    return {**DEFAULT_PRICES, **table}
