"""Settings of the gunicorn the throughput benchmark starts (bench/throughput.py).

The test settings (plain static files storage, local-memory cache, captured email), with the
figures cache as production has it: the test settings turn it off so each test sees what it
just wrote, and the benchmark sets AGGREGATE_CACHE_SECONDS to time the dashboard both ways.
Everything else (DEBUG off, the database, the secret key) comes from the environment.
"""

import os

from config.settings.test import *  # noqa: F403

AGGREGATE_CACHE_SECONDS = int(os.environ.get("AGGREGATE_CACHE_SECONDS", "30"))
