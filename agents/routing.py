"""The routing index: agents' purposes and examples as unit vectors; nearest agents by cosine.

It knows nothing of how vectors are made: the caller hands in an `embed` function.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from agents.spec import AgentSpec

NONE = "__none__"  # the out-of-scope class: nearest to it means no agent fits

Embed = Callable[[Sequence[str]], npt.NDArray[np.float32]]


@dataclass(frozen=True)
class Candidate:
    agent: str
    score: float


@dataclass
class RoutingIndex:
    """Rows of `vectors` belong to `owners`; an agent's score is its best row's cosine."""

    agent_ids: list[str]
    owners: npt.NDArray[np.int32]
    vectors: npt.NDArray[np.float32]
    texts: list[str]

    @classmethod
    def build(cls, specs: Sequence[AgentSpec], embed: Embed, out_of_scope: Sequence[str] = ()) -> RoutingIndex:
        agent_ids = [spec.id for spec in specs]
        texts: list[str] = []
        owners: list[int] = []
        for number, spec in enumerate(specs):
            for text in (spec.purpose, *spec.examples):
                texts.append(text)
                owners.append(number)
        if out_of_scope:
            agent_ids.append(NONE)
            texts.extend(out_of_scope)
            owners.extend([len(agent_ids) - 1] * len(out_of_scope))
        vectors = embed(texts)
        return cls(agent_ids, np.asarray(owners, dtype=np.int32), vectors, texts)

    def scores(self, query_vector: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Per agent: the best cosine over its rows, plus a little of its second best (less noise)."""
        sims = self.vectors @ query_vector
        best = np.full(len(self.agent_ids), -1.0, dtype=np.float32)
        second = np.full(len(self.agent_ids), -1.0, dtype=np.float32)
        order = np.argsort(-sims)
        for row in order:
            owner = self.owners[row]
            if best[owner] < -0.5:
                best[owner] = sims[row]
            elif second[owner] < -0.5:
                second[owner] = sims[row]
        second = np.where(second < -0.5, best, second)
        result: npt.NDArray[np.float32] = (0.8 * best + 0.2 * second).astype(np.float32)
        return result

    def top(self, query_vector: npt.NDArray[np.float32], k: int) -> list[Candidate]:
        scores = self.scores(query_vector)
        order = np.argsort(-scores)[:k]
        return [Candidate(self.agent_ids[i], float(scores[i])) for i in order]
