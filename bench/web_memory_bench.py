"""Resident memory of a web process, measured in fresh interpreters in one run.

Baseline: Django set up with Equitext's settings and nothing else loaded. Measured: the WSGI application
as gunicorn loads it (every URL, view and API module imported), after answering the login page and
scoring 200 paragraphs for readability (the editor's live panel loads the CMU syllable table). Also shown:
what `import textstat` alone would add (why the product computes the metrics without importing it).

    .venv/bin/python bench/web_memory_bench.py     (needs the local PostgreSQL: `scripts/dev.sh setup`)
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRELUDE = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apps.settings")
def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
"""

BASELINE = """
import django
django.setup()
print(json.dumps({"rss": rss_mb()}))
"""

WEB = """
from django.core.wsgi import get_wsgi_application
from django.test import Client
application = get_wsgi_application()
import apps.urls  # noqa: F401  (gunicorn's first request imports it)
assert Client(HTTP_HOST="127.0.0.1").get("/login/").status_code == 200
from apps.metrics.readability import readability_scores
for n in range(200):
    readability_scores(f"Paragraph {n}: chemotherapy uses medicines to kill cancer cells. Ask your nurse.")
HEAVY = {"textstat", "nltk", "pandas", "sklearn", "scipy", "torch"}
heavy = sorted({m.split(".")[0] for m in sys.modules} & HEAVY)
print(json.dumps({"rss": rss_mb(), "heavy": heavy}))
"""

TEXTSTAT = """
import django
django.setup()
import textstat  # noqa: F401
print(json.dumps({"rss": rss_mb()}))
"""


def measure(body: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    local_env = ROOT / ".data" / "local.env"
    if local_env.exists():
        for line in local_env.read_text().splitlines():
            key, _, value = line.partition("=")
            if key and not line.startswith("#"):
                env.setdefault(key.strip(), value.strip())
    out = subprocess.run(
        [sys.executable, "-c", PRELUDE + body], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if out.returncode != 0:
        sys.exit(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    baseline = measure(BASELINE)["rss"]
    web = measure(WEB)
    with_textstat = measure(TEXTSTAT)["rss"]
    print(f"baseline (django.setup only):         {baseline:7.1f} MB")
    print(
        f"web process (all URLs, 200 scored):   {web['rss']:7.1f} MB  ({web['rss'] / baseline:.2f}× baseline)"
    )
    print(f"heavy libraries loaded by the web app: {', '.join(web['heavy']) or 'none'}")
    print(
        f"django.setup + import textstat:       {with_textstat:7.1f} MB  (+{with_textstat - baseline:.0f} MB)"
    )


if __name__ == "__main__":
    main()
