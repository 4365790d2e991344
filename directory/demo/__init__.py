"""The demo directory: a deterministic, realistic directory of community activities.

`generate_demo` writes it (see `directory.demo.generator` for the rules it follows);
`wayfinder demo` (`directory.demo.commands.demo_command`) runs it from the command line.
"""

from directory.demo.generator import (
    AREAS,
    DEMO_AREA_MAX_LISTINGS,
    DEMO_AS_OF,
    DEMO_LISTINGS,
    DEMO_SEED,
    DemoAlreadyLoaded,
    DemoSummary,
    generate_demo,
    resolve_area,
)

__all__ = [
    "AREAS",
    "DEMO_AREA_MAX_LISTINGS",
    "DEMO_AS_OF",
    "DEMO_LISTINGS",
    "DEMO_SEED",
    "DemoAlreadyLoaded",
    "DemoSummary",
    "generate_demo",
    "resolve_area",
]
