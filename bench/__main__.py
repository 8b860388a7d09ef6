"""`python -m bench` (`make bench`): every benchmark; see bench/run.py."""

import sys

from bench.run import main

sys.exit(main())
