"""axe-core in Chromium under the product's Content Security Policy.

`tests/browser/vendor/axe.min.js` is axe-core 4.14.1 from the npm registry (`npm pack axe-core`; its
licence, MPL-2.0, and third-party notices beside it; SHA-256 of axe.min.js
29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c, the sri-history.json value). The
policy allows scripts from our origin only, so `page.add_script_tag(path=…)` (an inline <script>) is
refused; the source is evaluated through the DevTools protocol instead, which the policy does not govern,
leaving the page's own policy in force (a test checks both).

`axe_violations(page)` runs every rule at every impact level, minus DISABLED_RULES, and returns the
violations with their nodes; `violations_report` formats them for an assertion message.
"""

from pathlib import Path

AXE_SOURCE_PATH = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_VERSION = "4.14.1"

# Rules that do not apply to this product, each with its reason (the one place they are switched off).
DISABLED_RULES: dict[str, str] = {}

_AXE_SOURCE = None


def axe_inject(page) -> None:
    """Load axe into the page (once per document); a no-op when it is already there."""
    global _AXE_SOURCE
    if page.evaluate("() => typeof window.axe !== 'undefined'"):
        return
    if _AXE_SOURCE is None:
        _AXE_SOURCE = AXE_SOURCE_PATH.read_text(encoding="utf-8")
    page.evaluate(_AXE_SOURCE)
    version = page.evaluate("() => window.axe && window.axe.version")
    assert version == AXE_VERSION, f"axe-core did not load (got {version!r})"


def axe_violations(page, *, include: str | None = None) -> list[dict]:
    """axe's violations on the page as it is now: [{id, impact, help, helpUrl, nodes: [{target, html,
    failureSummary}]}]. All impact levels count; DISABLED_RULES are skipped."""
    axe_inject(page)
    options = {
        "resultTypes": ["violations"],
        "rules": {rule: {"enabled": False} for rule in DISABLED_RULES},
    }
    return page.evaluate(
        """async ([include, options]) => {
             const scope = include ? document.querySelector(include) : document;
             const result = await window.axe.run(scope, options);
             return result.violations.map(v => ({
               id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
               nodes: v.nodes.map(n => ({target: n.target, html: n.html.slice(0, 300),
                                         failureSummary: n.failureSummary}))
             }));
           }""",
        [include, options],
    )


def violations_report(label: str, violations: list[dict]) -> str:
    """One readable block per violation and node, for assertion messages."""
    lines = [f"{label}: {len(violations)} axe violation(s)"]
    for violation in violations:
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:8]:
            summary = (node["failureSummary"] or "").replace("\n", " ")[:300]
            lines.append(f"      {' '.join(map(str, node['target']))}  {node['html'][:160]}")
            lines.append(f"        {summary}")
        if len(violation["nodes"]) > 8:
            lines.append(f"      … and {len(violation['nodes']) - 8} more nodes")
    return "\n".join(lines)
