"""Benchmark and load-test support: synthetic data, reference endpoints and the bare ASGI app.

Nothing here is mounted in production: the reference endpoints are routed only when the
`BENCH_ENDPOINTS` environment variable is on, and the app has no models.
"""
