"""The README's evaluation table: the whole pipeline on the demo corpus, with small step counts on CPU.

    .venv/bin/python bench/evaluation_demo.py [--sft-steps 20] [--rl-steps 8] [--dpo-steps 10] [--tokens 96]

Against a throw-away database `<DATABASE_URL name>_bench_pipeline` (dropped first, dropped at the end),
through the product's services and task bodies (run in this process, one after another, as a worker
would): load the demo corpus; train reward model v1 (frozen MiniLM + logistic regression) and activate
it; SFT on the approved train pairs; RL (GRPO) with the combined reward on the train and unlabelled
originals; a generation run with two sampled candidates per train segment, ranked by reward, whose
best-vs-worst pairs are the DPO data; DPO; then one evaluation run on the test split of base, base
2-shot, SFT, RL and DPO (greedy, seed 0, 1,000 paired bootstrap resamples). Prints the table as
Markdown (value, and under each later version its difference from base with the 95% interval) and the
run's `summary.evaluation` as JSON to `--json`.

Tasks are sent to Redis db `EQUITEXT_BENCH_REDIS_DB` (default 11) where no worker listens, and that
database is flushed at the end.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apps.settings")

import environ  # noqa: E402

environ.Env.read_env(ROOT / ".data" / "local.env", overwrite=False)
BASE_URL = os.environ.get("DATABASE_URL", "postgres://equitext@127.0.0.1:54329/equitext")
_parsed = urlparse(BASE_URL)
BENCH_DB = _parsed.path.lstrip("/") + "_bench_pipeline"
BENCH_URL = _parsed._replace(path="/" + BENCH_DB).geturl()
os.environ["DATABASE_URL"] = BENCH_URL
_redis = urlparse(os.environ.get("REDIS_URL", "redis://127.0.0.1:56379/0"))
os.environ["REDIS_URL"] = _redis._replace(path="/" + os.environ.get("EQUITEXT_BENCH_REDIS_DB", "11")).geturl()

KEYS = ["sari_corpus", "sari_mean", "bleu_corpus", "fkgl_mean", "at_target", "reward_mean", "similarity_mean"]


def database(action: str) -> None:
    import psycopg

    admin = _parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        if action == "create":
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    if action == "create":
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": BENCH_URL},
            check=True,
        )


def _run(task, run, label: str) -> None:
    from apps.core.models import Job

    started = time.perf_counter()
    task.apply(args=[run.job_id])
    job = Job.objects.get(pk=run.job_id)
    if job.status != "succeeded":
        raise SystemExit(f"{label} failed: {job.error}")
    run.refresh_from_db()
    print(f"{label}: run #{run.pk} in {time.perf_counter() - started:.0f} s", flush=True)


def markdown(evaluation: dict) -> str:
    columns = {c["key"]: c["label"] for c in evaluation["columns"]}
    flags = [c["key"] for c in evaluation["columns"] if c["key"].startswith("flag:")]
    keys = KEYS + flags
    intervals = {item["version"]: item["differences"] for item in evaluation["intervals"]}
    lines = ["| version | " + " | ".join(columns[k] for k in keys) + " |", "|---" * (len(keys) + 1) + "|"]
    for row in evaluation["rows"]:
        cells = []
        for key in keys:
            value = row["values"].get(key)
            text = "—" if value is None else f"{value:.2f}"
            diff = (intervals.get(row["version"]) or {}).get(key)
            if diff and diff.get("low") is not None:
                text += f"<br>Δ {diff['difference']:+.2f} [{diff['low']:+.2f}, {diff['high']:+.2f}]"
            cells.append(text)
        lines.append(f"| {row['label']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sft-steps", type=int, default=20)
    parser.add_argument("--rl-steps", type=int, default=8)
    parser.add_argument("--dpo-steps", type=int, default=10)
    parser.add_argument("--tokens", type=int, default=96, help="max new tokens per evaluation output")
    parser.add_argument("--json", default="/tmp/evaluation_demo.json")
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()
    database("create")
    try:
        import django

        django.setup()
        from django.conf import settings

        from apps.accounts.services import user_create
        from apps.core.roles import Role
        from apps.corpus import demo
        from apps.scoring import evaluation_runs, reward_registry, services, training
        from workers.tasks.evaluation import evaluate
        from workers.tasks.scoring import generate, train_reward
        from workers.tasks.training import finetune_generator, train_rl, train_sft

        settings.MEDIA_ROOT = Path(
            os.environ.get("EQUITEXT_BENCH_MEDIA", "/tmp/equitext-bench-pipeline-media")
        )
        started = time.perf_counter()
        curator = user_create(username="curator", password="bench-pass-1234", role=Role.CURATOR)
        print(f"demo corpus: {demo.load()} segments", flush=True)
        reward_run = reward_registry.reward_train_start(user=curator, parameters={})
        _run(train_reward, reward_run, "reward model v1")
        reward_registry.reward_model_activate(
            reward_model_id=reward_run.summary["reward_model"], user=curator
        )
        sft = training.training_start(
            user=curator, target="sft", parameters={"steps": args.sft_steps, "batch_size": 4}
        )
        _run(train_sft, sft, f"SFT {args.sft_steps} steps")
        rl = training.training_start(
            user=curator,
            target="rl",
            parameters={
                "steps": args.rl_steps,
                "prompts_per_step": 2,
                "num_generations": 4,
                "max_completion_length": 64,
            },
        )
        _run(train_rl, rl, f"RL {args.rl_steps} steps")
        ranked = services.run_create(
            user=curator,
            split="train",
            parameters={"num_candidates": 2, "temperature": 0.8, "max_new_tokens": 64},
            seed=1,
        )
        _run(generate, ranked, "generation for preference pairs")
        dpo = training.training_start(user=curator, target="generator", parameters={"steps": args.dpo_steps})
        _run(finetune_generator, dpo, f"DPO {args.dpo_steps} steps")
        run = evaluation_runs.evaluation_start(
            user=curator,
            generators=[
                {"label": "base"},
                {"label": "base 2-shot", "few_shot": 2},
                {"label": "SFT", "train_run": sft.pk},
                {"label": "RL", "train_run": rl.pk},
                {"label": "DPO", "train_run": dpo.pk},
            ],
            parameters={"max_new_tokens": args.tokens},
            seed=0,
        )
        _run(evaluate, run, "evaluation")
        evaluation = run.summary["evaluation"]
        Path(args.json).write_text(json.dumps(run.summary, indent=2, default=str))
        print(
            f"\n{evaluation['n']} test segments, seed {evaluation['seed']}, {evaluation['resamples']} paired "
            f"resamples (percentile intervals), reward model v{evaluation['reward_model_version']}, "
            f"{time.perf_counter() - started:.0f} s in all\n"
        )
        print(markdown(evaluation))
    finally:
        if not args.keep_database:
            from django.db import connections

            connections.close_all()
            database("drop")
        import redis

        redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()


if __name__ == "__main__":
    main()
