"""``python -m leaderboard_pipeline.cli``: the ``leaderboard`` command."""

import sys

from leaderboard_pipeline.cli.main import main

sys.exit(main())
