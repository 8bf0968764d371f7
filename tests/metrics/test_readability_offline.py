"""Readability never touches the network: a fresh process with sockets and NLTK's downloader disabled
still scores text with the CMU dictionary (not only the Pyphen fallback), without loading textstat (and
with it NLTK, SciPy and pandas) into the process; textstat itself, when asked for, is offline too."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Runs in a new interpreter, so no earlier import in the test session can hide a download.
SCRIPT = r"""
import json, socket, sys

def refuse(*args, **kwargs):
    raise RuntimeError("network access attempted")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse

import django
django.setup()

from apps.metrics.readability import readability_scores, textstat_offline

text = "Colonoscopy finds polyps early. Chemotherapy treats cancer that has spread."
scores = readability_scores(text)
loaded = sorted({name.split(".")[0] for name in sys.modules} & {"textstat", "nltk", "pandas", "sklearn"})

import nltk
nltk.download = refuse
textstat = textstat_offline()

print(json.dumps({
    "loaded_by_scoring": loaded,
    "scores": scores,
    "textstat_syllables": textstat.syllable_count(text),
    "cancer": textstat.syllable_count("cancer"),
    "chemotherapy": textstat.syllable_count("chemotherapy"),
}))
"""


def test_scoring_works_with_the_network_disabled(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "apps.settings",
        # An empty NLTK data path and home: a copy of NLTK's cmudict on this machine cannot mask a download.
        "NLTK_DATA": str(tmp_path),
        "HOME": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    # The CMU dictionary's count (the Pyphen fallback would give "chemotherapy" 3 syllables).
    assert out["chemotherapy"] == 5
    assert out["cancer"] == 2
    assert out["scores"]["syllables"] == out["textstat_syllables"]
    assert out["scores"]["words"] == 10
    assert out["loaded_by_scoring"] == []
