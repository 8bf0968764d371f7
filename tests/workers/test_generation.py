"""The embedded generator, for real: loading, the conversion cache, batched and sampled generation."""

import os

import pytest
import torch

from apps.scoring.prompts import prompt_messages, template_get
from workers.ml import generation, loader

pytestmark = pytest.mark.slow

TEXTS = [
    "Do not take more than 4 grams of acetaminophen in 24 hours.",
    "Hi.",
    "Colorectal cancer is a malignancy of the colon or rectum that frequently presents with hematochezia, "
    "and screening should begin at age 45 for people at average risk.",
]


def conversations(texts):
    template = template_get("plain-language", 1)
    return [prompt_messages(template, text=text, grade=6, style="plain") for text in texts]


@pytest.fixture(scope="module")
def lm():
    return loader.load_causal_lm()


def test_the_embedded_model_simplifies_two_short_segments(lm):
    assert lm.source.model_id == "SmolLM2-135M-Instruct"
    assert type(lm.model).__name__ == "LlamaForCausalLM"
    assert loader.load_causal_lm() is lm  # kept in memory for the next task
    settings = generation.GenerationSettings(max_new_tokens=8)
    [(start, outputs)] = list(generation.generate(lm, conversations(TEXTS[:1] + TEXTS[2:]), settings))
    assert start == 0 and len(outputs) == 2
    for [sample] in outputs:
        assert sample.text.strip()
        assert 0 < sample.new_tokens <= 8


def test_greedy_output_of_a_batch_equals_each_prompt_alone(lm):
    settings = generation.GenerationSettings(max_new_tokens=8, batch_size=8)
    prompts = generation.render_prompts(lm, conversations(TEXTS))
    batch = generation.generate_batch(lm, prompts, settings)
    alone = [generation.generate_batch(lm, [prompt], settings)[0] for prompt in prompts]
    assert batch == alone


def test_sampling_gives_n_candidates_and_the_seed_reproduces_them(lm):
    settings = generation.GenerationSettings(
        num_candidates=3, temperature=0.9, top_p=0.95, max_new_tokens=10, seed=7
    )
    prompts = generation.render_prompts(lm, conversations(TEXTS[:2]))
    first = generation.generate_batch(lm, prompts, settings)
    assert [len(samples) for samples in first] == [3, 3]
    assert len({s.text for s in first[0]}) > 1  # sampled, not three copies of one greedy answer
    assert generation.generate_batch(lm, prompts, settings) == first
    other_seed = generation.GenerationSettings(**{**settings.__dict__, "seed": 8})
    assert generation.generate_batch(lm, prompts, other_seed) != first


def test_sampled_texts_do_not_depend_on_the_batch_size(lm):
    """Each candidate has its own generator seeded from (run seed, segment key, index): batches of 1, 3
    and 8 prompts give the same texts, and a key names the same texts wherever its prompt sits."""
    texts = [*TEXTS, *(f"Take {n} tablets every {n + 4} hours with food." for n in range(1, 6))]
    keys = [100 + i for i in range(len(texts))]
    by_batch = {}
    for batch_size in (1, 3, 8):
        settings = generation.GenerationSettings(
            num_candidates=2, temperature=0.9, top_p=0.95, max_new_tokens=8, seed=11, batch_size=batch_size
        )
        by_batch[batch_size] = [
            samples
            for _, batch in generation.generate(lm, conversations(texts), settings, keys=keys)
            for samples in batch
        ]
    assert by_batch[1] == by_batch[3] == by_batch[8]
    assert len({s.text for samples in by_batch[8] for s in samples}) > len(texts)  # sampled, varied
    # The last three prompts alone (a resumed run's pending segments) give their texts again.
    settings = generation.GenerationSettings(
        num_candidates=2, temperature=0.9, top_p=0.95, max_new_tokens=8, seed=11, batch_size=8
    )
    [(_, tail)] = generation.generate(lm, conversations(texts[5:]), settings, keys=keys[5:])
    assert tail == by_batch[8][5:]


def test_each_candidate_seed_comes_from_run_seed_key_and_index():
    seeds = {generation.sample_seed(7, key, index) for key in (1, 2) for index in (0, 1)}
    assert len(seeds) == 4 and all(0 <= seed < 2**63 for seed in seeds)
    assert (
        generation.sample_seed(7, 1, 0) == generation.sample_seed(7, 1, 0) != generation.sample_seed(8, 1, 0)
    )


def test_the_cached_conversion_reloads_with_identical_logits(tmp_path, monkeypatch):
    monkeypatch.setenv("EQUITEXT_MODEL_CACHE", str(tmp_path))
    monkeypatch.setenv("EQUITEXT_DTYPE", "bfloat16")  # the dtype the conversion is stored in
    source = loader.default_source()
    converted = loader.convert_gguf(source)  # what the GGUF file holds, as loaded from it
    target = loader.converted_dir(source)
    assert (target / "model.safetensors").exists() and (target / "tokenizer.json").exists()
    assert [p.name for p in tmp_path.joinpath("generators").iterdir()] == [target.name]  # no temp dirs left
    stamp = os.stat(target / "config.json").st_mtime_ns

    loader.unload_all()
    try:
        reloaded = loader.load_causal_lm()
        assert loader.ensure_converted(source) == target
        assert os.stat(target / "config.json").st_mtime_ns == stamp  # converted once, not again
        inputs = reloaded.tokenizer(
            generation.render_prompts(reloaded, conversations(TEXTS[:1])), return_tensors="pt"
        )
        with torch.inference_mode():
            assert torch.equal(converted(**inputs).logits, reloaded.model(**inputs).logits)
    finally:
        loader.unload_all()


def test_a_directory_that_is_not_a_model_is_refused_with_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("EQUITEXT_GENERATOR", str(tmp_path))
    with pytest.raises(RuntimeError, match="not a Hugging Face model directory"):
        loader.load_causal_lm()


def test_embeddings_rank_a_paraphrase_above_an_unrelated_text():
    from workers.ml.embeddings import similarities

    source = TEXTS[0]
    paraphrase, unrelated = similarities(
        [
            (source, "Never take more than 4 grams of acetaminophen in one day."),
            (source, "I am a math teacher."),
        ]
    )
    assert paraphrase > 0.8 > 0.2 > unrelated
