"""Live platform collectors: one module per platform, all through the HTTP layer in `http.py`."""
