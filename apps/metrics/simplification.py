"""Every metric of a set of simplifications at once: per item and for the whole set, each value named.

`simplification_metrics` is what `POST /api/v1/metrics/` returns; teams score outputs made outside the
product on the product's own definitions (apps/metrics/sari.py, readability.py).
"""

from collections.abc import Sequence

from apps.metrics.readability import ENGINE, readability_scores
from apps.metrics.sari import (
    BLEU_CORPUS_DEFINITION,
    BLEU_DEFINITION,
    SARI_CORPUS_DEFINITION,
    SARI_DEFINITION,
    TOKENISATION,
    bleu,
    bleu_corpus,
    compression_ratio,
    sari,
    sari_corpus,
)
from apps.metrics.text_scores import text_scores_get_or_compute

DEFINITIONS = {
    "sari": SARI_DEFINITION,
    "sari_mean": "The mean of the items' `sari` (HF evaluate's corpus score is this mean).",
    "sari_corpus": SARI_CORPUS_DEFINITION,
    "bleu": BLEU_DEFINITION,
    "bleu_corpus": BLEU_CORPUS_DEFINITION,
    "compression": "Characters of the prediction / characters of the source (whitespace-trimmed).",
    "readability": f"Every readability formula of textstat 0.7.13, computed offline ({ENGINE}); "
    "`flesch_kincaid_grade` is the Flesch–Kincaid grade.",
    "sari_tokenisation": TOKENISATION,
}


def simplification_metrics(
    *,
    sources: Sequence[str],
    predictions: Sequence[str],
    references: Sequence[Sequence[str]],
    store: bool = False,
) -> dict:
    """Per item `sari` (+ add/keep/delete), `bleu`, `compression` and the readability of the prediction
    and the source; for the set `sari_corpus`, `sari_mean` and `bleu_corpus`; `definitions` names each.

    Inputs must already be valid (same lengths, ≥ 1 reference each, the same number of references per
    item). Readability goes through the text-score cache only when `store` is true; otherwise nothing is
    written."""
    if store:
        scores = text_scores_get_or_compute([*predictions, *sources])
        prediction_scores, source_scores = scores[: len(predictions)], scores[len(predictions) :]
    else:
        prediction_scores = [readability_scores(text) if text.strip() else {} for text in predictions]
        source_scores = [readability_scores(text) for text in sources]
    items = []
    for index, (source, prediction, refs) in enumerate(zip(sources, predictions, references, strict=True)):
        score = sari(source, prediction, refs)
        items.append(
            {
                "index": index,
                "sari": score.sari,
                "sari_parts": score.parts(),
                "bleu": bleu(prediction, refs),
                "compression": compression_ratio(source, prediction),
                "readability": {"prediction": prediction_scores[index], "source": source_scores[index]},
            }
        )
    corpus = sari_corpus(sources, predictions, references)
    return {
        "n": len(items),
        "references_per_item": len(references[0]),
        "items": items,
        "corpus": {
            "sari_corpus": corpus.sari,
            "sari_corpus_parts": corpus.parts(),
            "sari_mean": sum(item["sari"] for item in items) / len(items),
            "bleu_corpus": bleu_corpus(predictions, references),
        },
        "definitions": DEFINITIONS,
        "stored": bool(store),
    }
