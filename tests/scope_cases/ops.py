"""Operations endpoints (docs/operations.md): no records of anyone's, so nothing to scope.
/healthz and /readyz are public and say only "ok" or which check failed; /metrics holds counts only
and is read with a configured token or from this machine
(tests/ops/test_observability.py::test_health_and_readiness_say_nothing_personal, ::test_metrics_*)."""
OTHER = {"core:healthz", "core:readyz", "core:metrics"}
