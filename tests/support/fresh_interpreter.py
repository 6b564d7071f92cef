"""Running a script in a fresh interpreter: what a test process has already imported would
hide what the application itself loads."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def json_report(script: str, *arguments: str, timeout: float = 300) -> Any:
    """Run ``script`` (dedented) with ``arguments`` from the project's root; the JSON its
    last line of output prints. Fails the test with its stderr if it fails."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
