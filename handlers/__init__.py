"""Answer families. Each handler is a plain function from a Context to a Reply: no I/O."""

from core.context import Context, Handler
from handlers import benefits, common, coverage, discounts, offices, premiums, smalltalk
from handlers.amount_range import PLAUSIBLE, guard

HANDLERS: dict[str, Handler] = {
    "static": common.static,
    "premiums.bpu": premiums.bpu,
    "premiums.pu": premiums.pu,
    "premiums.jakon": premiums.jakon,
    "premiums.risk_groups": premiums.risk_groups,
    "premiums.discount": discounts.discount,
    "premiums.bayar": premiums.bayar,
    "benefits.scholarship": benefits.scholarship,
    "benefits.jkk": benefits.jkk,
    "benefits.jkp": benefits.jkp,
    "benefits.jp": benefits.jp,
    "coverage.region": coverage.region,
    "offices.region": offices.region,
    "smalltalk.greeting": smalltalk.greeting,
    "smalltalk.menu": smalltalk.menu,
    "smalltalk.out_of_scope": smalltalk.out_of_scope,
    "sharing.share": smalltalk.share,
    "sharing.details": smalltalk.details,
}

# What each handler can take from a follow-up message ("kalau 2 juta?"): the entity it asked for.
PENDING_ENTITY: dict[str, str] = {
    "premiums.bpu": "income",
    "premiums.pu": "wage",
    "premiums.jakon": "contract",
    "premiums.risk_groups": "wage",
    "benefits.jkk": "wage",
    "benefits.jkp": "wage",
    "coverage.region": "region",
    "offices.region": "region",
}

# Calculators never compute from an absurd amount (a 29-digit "upah" used to crash them): one
# outside the plausible range of the kind they take gets a kind answer instead.
HANDLERS.update(
    {
        name: guard(kind, HANDLERS[name])
        for name, kind in PENDING_ENTITY.items()
        if kind in PLAUSIBLE
    }
)

__all__ = ["HANDLERS", "PENDING_ENTITY", "Context", "Handler"]
