"""The composition root: chooses, per external system, the real adapter or a local stand-in, and
opens the Brain with that choice.

The layers below never decide this: `runtime/` knows the real adapters and accepts stand-ins passed
in (`runtime.wiring.StandIn`); `sandbox/` knows nothing of ours. The CLI, the API server, the eval
command and the tests open their Brain here. A system whose URL is configured (`BRAIN_SALEOR_URL`...)
always uses its real adapter; the stand-in serves only the systems left unconfigured.
"""

from __future__ import annotations

from typing import Any

from runtime.brain import Brain
from runtime.settings import Settings
from runtime.wiring import ClientFactory, SystemWiring, wirings


def systems() -> dict[str, SystemWiring]:
    """Every system's wiring, with its sandbox stand-in for when it is not configured."""
    from bootstrap.stand_ins import STAND_INS

    return {name: wiring.with_stand_in(STAND_INS[name]) if name in STAND_INS else wiring
            for name, wiring in wirings().items()}


async def open_brain(settings: Settings, **options: Any) -> Brain:
    """`Brain.open` with the sandbox stand-ins for unconfigured systems (options as `Brain.open`)."""
    return await Brain.open(settings, systems=systems(), **options)


def client_factory(settings: Settings) -> ClientFactory:
    """Clients of every system, stand-ins included, without a Brain (`brain sandbox serve`)."""
    return ClientFactory(settings, systems())
