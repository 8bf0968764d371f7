"""Few-shot examples from the corpus: for each text, the k approved train-split pairs nearest to it.

Nearness is the cosine similarity of the embedded all-MiniLM-L6-v2 sentence embeddings of the originals
(`embeddings.embed`: mean pooling, L2 normalisation). A segment never gets itself as an example, and a
held-out segment (dev or test split) never gets a pair from its own document, so an evaluation never
shows the model a neighbouring sentence of the text it is scored on. Ties go to the lower segment id, so
the same pool and texts always give the same examples.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from workers.ml import embeddings

HELD_OUT_SPLITS = ("dev", "test")


@dataclass(frozen=True)
class PoolPair:
    segment: int
    version: int
    document: int
    original: str
    simplified: str


@dataclass(frozen=True)
class Query:
    segment: int
    document: int
    split: str
    original: str


def nearest_pairs(queries: Sequence[Query], pool: Sequence[PoolPair], k: int) -> dict[int, list[dict]]:
    """For each query's segment id: up to `k` example dicts (segment, version, original, simplified,
    similarity), nearest first — what the run records and the prompt shows."""
    if k < 1 or not queries:
        return {query.segment: [] for query in queries}
    if not pool:
        return {query.segment: [] for query in queries}
    pool_vectors = embeddings.embed([pair.original for pair in pool])
    query_vectors = embeddings.embed([query.original for query in queries])
    similarity = query_vectors @ pool_vectors.T
    chosen: dict[int, list[dict]] = {}
    for row, query in enumerate(queries):
        scores = similarity[row].tolist()
        order = sorted(range(len(pool)), key=lambda i: (-scores[i], pool[i].segment))
        examples = []
        for i in order:
            pair = pool[i]
            if pair.segment == query.segment:
                continue
            if query.split in HELD_OUT_SPLITS and pair.document == query.document:
                continue
            examples.append(
                {
                    "segment": pair.segment,
                    "version": pair.version,
                    "original": pair.original,
                    "simplified": pair.simplified,
                    "similarity": round(float(scores[i]), 6),
                }
            )
            if len(examples) == k:
                break
        chosen[query.segment] = examples
    return chosen
