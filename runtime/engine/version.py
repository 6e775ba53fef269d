"""The code version a run is stamped with: which graph wrote its checkpoints.

A checkpoint names the graph's nodes and channels; a worker whose graph differs (a node renamed,
an edge moved, a state field added) may be unable to continue a run another version started, so
it leaves such runs to workers of their version and says so. The version is a hash of the graph's
nodes, edges and state fields, plus `REVISION` for changes of meaning the shape does not show
(bump it when a node's behaviour changes in a way old checkpoints cannot follow).
`BRAIN_CODE_VERSION` pins it by hand (a deployment that names its releases).
"""

from __future__ import annotations

import hashlib
from typing import Any, get_type_hints

REVISION = 1


def graph_version(graph: Any, state: type) -> str:
    """A short, stable hash of a compiled LangGraph graph's shape and its state's fields."""
    drawable = graph.get_graph()
    nodes = sorted(str(node) for node in drawable.nodes)
    edges = sorted(f"{e.source}>{e.target}{'?' if e.conditional else ''}" for e in drawable.edges)
    fields = sorted(get_type_hints(state, include_extras=False))
    text = "|".join([f"r{REVISION}", ",".join(nodes), ",".join(edges), ",".join(fields)])
    return "g" + hashlib.sha256(text.encode()).hexdigest()[:12]
