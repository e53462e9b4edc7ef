"""Where a month's raw snapshot comes from: the published archive layout, the bundled demo, live APIs."""
