"""The project's own tests: `pytester` drives the kit's plugin in throw-away projects."""

pytest_plugins = ["pytester"]

# The tests that start whole runs of the kit (third-party servers, the grid, a pytest run per
# seeded defect) take from ten seconds to two minutes each. They go first, the heaviest first,
# each module kept together; `make test` runs with `--dist worksteal`, which gives each worker
# half of the list and lets a worker that runs out take half of what another still has left,
# so the long runs start early and no worker ends alone with one. (The default `load`
# scheduling hands each worker a consecutive first chunk: one worker got every long run.)
HEAVY_FIRST = (
    "tests/kit/test_external_targets.py",
    "tests/interop/test_third_party_idps.py",
    "tests/interop/test_third_party_rps.py",
    "tests/devices/test_grid.py",
    "tests/selfcheck/",
    "tests/eligibility/test_seeded_defects_are_caught.py",
    "tests/devices/test_driver_matrix.py",
    "tests/kit/test_no_secrets_in_reports.py",
)


def _weight(item) -> int:
    nodeid = item.nodeid
    return next((rank for rank, prefix in enumerate(HEAVY_FIRST) if nodeid.startswith(prefix)),
                len(HEAVY_FIRST))


def pytest_collection_modifyitems(session, config, items):
    items.sort(key=_weight)  # stable: within a weight, collection order
