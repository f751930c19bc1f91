"""The organisation settings the metrics depend on, read once per load."""

from dataclasses import dataclass, field

from sqlmodel import Session

from payoff.metrics.value import Weights
from payoff.store import org_settings


@dataclass(frozen=True)
class Config:
    weights: Weights
    adoption_target: float
    min_group_size: int
    delivery_hours_per_week: float
    seat_prices: dict[str, float] = field(default_factory=dict)  # contract prices; list prices where absent

    @classmethod
    def load(cls, session: Session) -> "Config":
        s = org_settings.get_all(session)
        return cls(
            Weights.from_setting(s["value_weights"]),
            float(s["adoption_target"]),
            int(s["min_group_size"]),
            float(s["delivery_hours_per_week"]),
            dict(s["seat_prices"]),
        )
