"""Demo setup for scoring (`make run`): reward model v1, trained on the demo corpus and activated, so the
first generation run already ranks its candidates.

The training is a job like any other (`reward_registry.reward_train_start`, task
`equitext.ml.train_reward`): this only queues it; the worker that honcho starts next trains it,
labels the version "demo-trained" and activates it (unless a curator activated another meanwhile).
Its page says, as for any version, whether it beats grade level (on the demo corpus it does not).
Loaded once: a second run finds the demo training run (or any reward model) and queues nothing.

Data: the demo's approved and in-review pairs of the train and dev splits (17 pairs from 5 documents),
never the test split, so runs on the held-out-style test segments are ranked by a reward that has not
seen their references.
"""

from django.contrib.auth import get_user_model

from apps.corpus import demo as corpus_demo
from apps.scoring import reward_registry
from apps.scoring.models import ModelRun, RewardModel

DEMO_TRAINING = {"statuses": ["approved", "in_review"], "splits": ["train", "dev"], "seed": 0}


def load() -> int:
    """Queue the demo reward training unless one was queued before or a reward model exists; returns
    the number of training runs queued (0 or 1)."""
    corpus_demo.load()  # scoring comes before corpus in INSTALLED_APPS; its texts must exist first
    if RewardModel.objects.exists() or ModelRun.objects.filter(parameters__demo=True).exists():
        return 0
    curator = get_user_model().objects.filter(username="curator").first()
    if curator is None:  # the accounts demo did not run
        return 0
    reward_registry.reward_train_start(user=curator, parameters=DEMO_TRAINING, demo=True)
    return 1
