"""`python -m tests.mutation`: the mutation check (runner.py)."""

from __future__ import annotations

import sys

from .runner import main

sys.exit(main())
