"""Operations: health and readiness probes, Prometheus metrics, the scheduler election, the
limiters shared between processes and the ``python -m bot check`` command."""
