"""Look the pinned packages up in the vulnerability database, and say plainly what was checked.

pip-audit reports a package it could not look up as skipped and still exits 0, so on a
machine that reaches no vulnerability service it "passes" an audit that did not happen.
This script runs it and decides from its JSON report:

- any known vulnerability fails;
- no package looked up at all: the service was not reached. Say so ("not audited") and
  exit 0, so CI on a closed network stays green without claiming an audit;
- some looked up, some not: the service answered, so a package it cannot find is a
  failure (pip-audit's --strict).

Usage: python scripts/audit.py [requirements file, pinned: requirements.lock], from the project's virtualenv.
"""

import json
import subprocess
import sys
from pathlib import Path


def verdict(report: dict) -> tuple[int, list[str]]:
    """Return the exit code and the lines to print for pip-audit's JSON *report*."""
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = [d for d in dependencies if not d.get("skip_reason")]
    vulnerable = [d for d in audited if d.get("vulns")]
    lines = []
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            lines.append(f"{dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixes})")
    if vulnerable:
        return 1, [*lines, f"audit failed: {len(vulnerable)} of {len(audited)} packages have known vulnerabilities"]
    if not audited:
        count = len(dependencies)
        return 0, [f"not audited: no vulnerability service reachable (none of the {count} packages could be looked up)"]
    if skipped:
        lines += [f"{d['name']}: {d['skip_reason']}" for d in skipped]
        return 1, [*lines, f"audit failed: {len(skipped)} of {len(dependencies)} packages could not be looked up"]
    return 0, [f"audited: no known vulnerabilities in {len(audited)} packages"]


def main(requirements: str = "requirements.lock") -> int:
    pip_audit = Path(sys.executable).with_name("pip-audit")
    # The lock pins every package: look each up as pinned, without installing anything to resolve them.
    command = [str(pip_audit), "-r", requirements, "--no-deps", "--progress-spinner", "off", "--format", "json"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - our own tool
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(result.stderr.strip() or result.stdout.strip(), file=sys.stderr)
        print(f"audit failed: pip-audit gave no report (exit {result.returncode})", file=sys.stderr)
        return result.returncode or 1
    code, lines = verdict(report)
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
