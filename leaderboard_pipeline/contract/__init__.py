"""What every part agrees on: the raw tables, the month key, the source protocol and its error."""
