"""``python -m ytrec.cli``."""

import sys

from ytrec.cli import main

sys.exit(main())
