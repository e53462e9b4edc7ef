"""The ``leaderboard`` command: one module per subcommand, `main` wires them."""
