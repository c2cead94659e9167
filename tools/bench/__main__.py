"""`python -m tools.bench`: see tools/bench/main.py."""

from tools.bench.main import main

raise SystemExit(main())
